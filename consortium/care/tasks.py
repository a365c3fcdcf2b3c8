"""Care's background work (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from consortium.care.benchmarks import rebuild


@task()
def refresh_benchmarks() -> int:
    """Every benchmark view rebuilt after the rates behind them changed."""
    return rebuild()
