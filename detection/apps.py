"""App config for person and garment analysis."""

from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "detection"
    default_auto_field = "django.db.models.BigAutoField"
