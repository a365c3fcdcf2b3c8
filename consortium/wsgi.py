import gc
import os
from importlib import import_module

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

# Everything loaded to serve (Django, the URL conf and every view and API module it imports,
# the models, the libraries) lives as long as the process. Python's full garbage collections
# walk every tracked object each time; with ~280,000 of them that took 100-200 ms on a
# two-core server, every few seconds under load, which a request then waits for. Loading the
# URL conf now and freezing what exists takes those objects out of every later collection.
import_module(settings.ROOT_URLCONF)  # otherwise imported on the first request
gc.freeze()
