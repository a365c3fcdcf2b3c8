from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class _Stop(Exception):
    """A signal asked the server to stop."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stop(signum)


class Command(BaseCommand):
    help = "Serve Consortium with gunicorn beside one background-task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true", help="Do not start a task worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        env = os.environ.copy()
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"] and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
            children.append(subprocess.Popen([sys.executable, "-m", "consortium", "db_worker"], env=env))
        self.stdout.write(f"Serving Consortium on http://{options['bind']}/ (Ctrl+C to stop)")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "consortium.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ],
            env=env,
        )
        children.append(server)
        # SIGTERM (a service manager, a container stopping) and SIGHUP stop the server and the
        # worker with it: without a handler Python would exit at once and leave both running.
        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
        try:
            server.wait()
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
