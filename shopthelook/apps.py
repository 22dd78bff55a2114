"""App config for the project package, which holds the shopper flow and project commands."""

from django.apps import AppConfig


class ShopTheLookConfig(AppConfig):
    name = "shopthelook"
    default_auto_field = "django.db.models.BigAutoField"
