"""`manage.py ensure_staff`: make sure a staff superuser exists, from the environment or generated."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the staff account named by DJANGO_ADMIN_USER / DJANGO_ADMIN_PASSWORD, or generate one."

    def handle(self, *args, **opts) -> None:
        users = get_user_model()
        username = os.environ.get("DJANGO_ADMIN_USER", "admin")
        password = os.environ.get("DJANGO_ADMIN_PASSWORD")
        email = os.environ.get("DJANGO_ADMIN_EMAIL", "")
        saved = settings.DATA_DIR / "admin-credentials.txt"
        if users.objects.filter(username=username).exists():
            if password:
                user = users.objects.get(username=username)
                user.set_password(password)
                user.is_staff = user.is_superuser = True
                user.save()
                self.stdout.write(f"staff account {username!r}: password set from DJANGO_ADMIN_PASSWORD")
            else:
                where = f" (credentials in {saved})" if saved.exists() else ""
                self.stdout.write(f"staff account {username!r} exists{where}")
            return
        generated = password is None
        if generated:
            password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            _write_private(saved, f"username: {username}\npassword: {password}\n")
            self.stdout.write(self.style.WARNING(f"created staff account {username!r} with password {password!r}"))
            self.stdout.write(f"(saved to {saved}; set DJANGO_ADMIN_USER / DJANGO_ADMIN_PASSWORD to choose your own)")
        else:
            self.stdout.write(f"created staff account {username!r} from the environment")


def _write_private(path, text: str) -> None:
    """Write `text` to a file only its owner can read, from its first byte: created 0600, never
    written wider and narrowed after (a reader in between would see the password)."""
    path.unlink(missing_ok=True)  # an older file may have been created with wider permissions
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
