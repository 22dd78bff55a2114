"""The Celery application, configured from Django settings under the CELERY_ prefix."""

import os

from celery import Celery

# Production unless told otherwise, as wsgi.py: a worker started by hand outside `make run` (which
# names the dev settings) must not run with DEBUG on. Prod refuses to start without a secret key.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopthelook.settings.prod")

app = Celery("shopthelook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
