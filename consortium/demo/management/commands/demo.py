from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from consortium.demo.loader import DEMO_PASSWORD, demo_sign_ins, load_demo


class Command(BaseCommand):
    help = "Migrate, load the demo consortium (idempotent), print the demo sign-ins, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and stop.")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo consortium loaded: {counts['organisations']} organisations, "
                f"{counts['members']} current members, {counts['people']} people."
            )
        )
        self.stdout.write("\nDemo sign-ins (every demo person's password is the same):")
        for role, organisation, email in demo_sign_ins():
            self.stdout.write(f"  {role:<36} {organisation:<38} {email}")
        self.stdout.write(
            f"  {'Care provider (Oakfield)':<36} {'Oakfield Supported Living Ltd':<38} care@oakfield.example"
        )
        self.stdout.write(f"  password: {DEMO_PASSWORD}\n")
        if not options["no_serve"]:
            call_command("serve", bind=options["bind"])
