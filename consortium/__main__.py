"""The `consortium` command: Django's management commands, with Consortium's own.

consortium demo              migrate, load the demo consortium, serve on :8000
consortium serve             serve with gunicorn (and a task worker)
consortium contact-sim       send simulated contacts through the contact routing API
consortium createsuperuser   and every other manage.py command
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        os.environ.setdefault("CONSORTIUM_DEMO", "true")
    if len(sys.argv) > 1 and sys.argv[1] == "contact-sim":
        sys.argv[1] = "contact_sim"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
