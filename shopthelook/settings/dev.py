"""Development settings: debug on and a throwaway secret key unless the environment sets one."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT
from .env import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-deploy")
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)
# `make run` serves with gunicorn: WhiteNoise finds the static files where they are, no collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up when it is absent
WHITENOISE_AUTOREFRESH = DEBUG
