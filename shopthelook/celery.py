"""The Celery application, configured from Django settings under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopthelook.settings.dev")

app = Celery("shopthelook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
