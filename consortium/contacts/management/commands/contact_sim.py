"""`consortium contact-sim`: drive simulated traffic through the integration API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from consortium.contacts.sim import Platform, run


class Command(BaseCommand):
    help = (
        "Send simulated contacts to the integration API of a running Consortium (signed like a real "
        "platform), answering or abandoning each. Without --key-id, adds a platform here for the run."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--contacts", type=int, default=200)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument(
            "--patience", type=float, default=5.0, help="Seconds a caller waits before abandoning"
        )
        parser.add_argument("--talk", type=float, default=0.0, help="Seconds each answered contact lasts")
        parser.add_argument("--key-id", default="")
        parser.add_argument("--secret", default="")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        key_id, secret = options["key_id"], options["secret"]
        if bool(key_id) != bool(secret):
            raise CommandError("Give both --key-id and --secret, or neither")
        if not key_id:
            from consortium.contacts import services
            from consortium.organisations.acting import actor_for
            from consortium.organisations.constants import Role
            from consortium.organisations.models import RoleAssignment

            admin = RoleAssignment.objects.filter(role=Role.CONSORTIUM_ADMIN).select_related("person").first()
            actor = actor_for(admin.person, admin.organisation_id) if admin else None
            if actor is None:
                raise CommandError("No consortium admin to add a platform: give --key-id and --secret")
            platform, secret = services.platform_create(actor=actor, name="Contact simulator")
            key_id = platform.key_id
        result = run(
            Platform(options["url"], key_id, secret),
            contacts=options["contacts"],
            concurrency=options["concurrency"],
            patience=options["patience"],
            talk=options["talk"],
            seed=options["seed"],
        )
        self.stdout.write(result.summary())
