import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")
application = get_wsgi_application()

if not (settings.SECRET_KEY_IS_SET or settings.DEBUG or settings.DEMO_MODE or settings.TESTING):
    raise ImproperlyConfigured("Set SECRET_KEY in the environment before serving Consortium.")
if not (settings.SITE_URL_IS_SET or settings.DEBUG or settings.DEMO_MODE or settings.TESTING):
    raise ImproperlyConfigured(
        "Set SITE_URL in the environment (e.g. https://consortium.example.org): e-mail links are built from it."
    )
