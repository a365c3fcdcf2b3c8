"""The catalogue's background work (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from consortium.catalogue import search_index


@task()
def build_search_index() -> str:
    """The search index for the catalogue as it is now (asked for by a search that found the
    index out of date; searches read the database until it is ready)."""
    return str(search_index.build() or "")
