"""`manage.py savings_generate`: make or refresh every generated saving (nightly, from cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from consortium.savings.services import generate_all


class Command(BaseCommand):
    help = "Create or refresh the savings that placements, awards and monthly orders imply."

    def handle(self, *args: Any, **options: Any) -> None:
        made = generate_all()
        self.stdout.write(
            f"Generated savings checked: {made['placements']} placements, {made['awards']} awards, "
            f"{made['orders']} member-months of orders."
        )
