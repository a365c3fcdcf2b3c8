"""Settings for the test suite: the main settings with test switches turned on."""

import os

os.environ.setdefault("CONSORTIUM_TESTING", "true")

from consortium.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_COOKIES = False
