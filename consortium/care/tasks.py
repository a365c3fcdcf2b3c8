from __future__ import annotations

from django_tasks import task


@task()
def refresh_benchmarks() -> int:
    from consortium.care.services import benchmarks_refresh

    return benchmarks_refresh()
