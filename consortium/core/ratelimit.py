"""A fixed-window rate limit in the cache (Redis in production, memory in development):
enough to stop one client flooding an unauthenticated form or an API key."""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """True while `key` has been seen at most `limit` times in the current window."""
    bucket = f"ratelimit:{key}:{int(time.time() // window_seconds)}"
    if cache.add(bucket, 1, timeout=window_seconds + 1):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window_seconds + 1)
        return True
    return count <= limit
