"""`manage.py search_index`: build the catalogue's search index now (after a bulk load, say),
rather than when the first search finds it out of date."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from consortium.catalogue import search_index


class Command(BaseCommand):
    help = "Build the catalogue's search index for the catalogue as it is now."

    def handle(self, *args: Any, **options: Any) -> None:
        if not search_index.enabled():
            self.stdout.write(
                "The search index is turned off (SEARCH_INDEX_DIR is empty): search reads the database."
            )
            return
        started = time.perf_counter()
        path = search_index.build()
        self.stdout.write(
            f"Search index for catalogue version {search_index.current_version()}: {path} "
            f"({time.perf_counter() - started:.1f} s)"
        )
