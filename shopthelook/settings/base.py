"""Settings shared by every environment; each value comes from the environment."""

from pathlib import Path

import dj_database_url
from kombu import Queue

from .env import env_bool, env_int, env_list, env_map, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# No default: dev and test set a throwaway key, prod refuses to start without one.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "shopthelook",
    "catalog",
    "scraper",
    "training",  # management commands only: it is never imported by the web or the worker
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # gunicorn serves the static files through WhiteNoise (in `make run` and the fleet alike).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out login
]

# Admin logins: after AXES_FAILURE_LIMIT wrong passwords for one account from one address, that
# pair is locked out for AXES_COOLOFF_HOURS (a success in between resets the count). Attempts and
# lock-outs are listed in admin ("Axes"), where staff can also lift one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "shopthelook.clients.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# The client address behind a reverse proxy: off by default (REMOTE_ADDR), since any client can
# write X-Forwarded-For. Set the header the proxy writes, how many trusted proxies append to it,
# and optionally their addresses (see shopthelook.clients).
TRUSTED_PROXY_HEADER = env_str("DJANGO_TRUSTED_PROXY_HEADER", "")
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 1)
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", [])

# Content-Security-Policy: scripts from this origin only, never inline (the pages' scripts are
# files; their data comes as json_script blocks, which never run). Styles may be inline: the
# staff review page places its boxes with style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "shopthelook.urls"
WSGI_APPLICATION = "shopthelook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATA_DIR = Path(env_str("SHOPTHELOOK_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create the folder its file lives in
REPORTS_DIR = Path(env_str("SHOPTHELOOK_REPORTS_DIR", str(BASE_DIR / "reports")))  # what training commands write
# Connections are kept a minute, and checked before reuse: after a database restart the first
# request would otherwise fail on the dead one (stress_looks' PostgreSQL restart found it).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and the scraper write at once: WAL and a busy timeout
    # turn "database is locked" into a short wait.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(DATA_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded and product photos: Django serves them in development (dev settings turn this on); in
# production a front server does, so the web process never streams files.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", False)

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
# The rate limits' counts: shared by every web process, so the cache is Redis, not per process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "stl",
        "TIMEOUT": 300,
    }
}
# No result backend: tasks record their outcome on their own rows (ScrapeRun, Look).
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 4 * 3600)
# No global soft limit: Celery refuses to queue a task whose own time_limit is below it. A task
# that can clean up (analyse_look, the scrape) sets its own soft limit.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Three queues, so that a shopper never waits behind catalog work: "looks" (the shopper's pipeline
# and its periodic sweeps), "ingest" (embedding products) and "scrape" (Selenium). A worker started
# without -Q consumes all three (`make run` starts one for looks and one for the rest).
WORKER_QUEUES = ("looks", "ingest", "scrape")
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in WORKER_QUEUES]
CELERY_TASK_DEFAULT_QUEUE = "looks"
CELERY_TASK_ROUTES = {
    # Looks for scrapes whose worker was lost, so it must not wait in that worker's queue.
    "scraper.tasks.sweep_lost_scrapes": {"queue": "looks"},
    "shopthelook.tasks.*": {"queue": "looks"},
    "catalog.tasks.*": {"queue": "ingest"},
    "scraper.tasks.*": {"queue": "scrape"},
}

# Scraper: the browser binaries (Debian's), and the limits every downloaded image must meet.
CHROMIUM_BINARY = env_str("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER_BINARY = env_str("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")
SCRAPER_PAGE_TIMEOUT = env_int("SCRAPER_PAGE_TIMEOUT", 20)
SCRAPER_MAX_IMAGE_BYTES = env_int("SCRAPER_MAX_IMAGE_BYTES", 5 * 1024 * 1024)
SCRAPER_MAX_IMAGE_PIXELS = env_int("SCRAPER_MAX_IMAGE_PIXELS", 25_000_000)
# Site roots by profile name, overriding a profile's own base_url: "demo=http://127.0.0.1:9000,myntra=...".
SCRAPER_SITE_URLS = env_map("SCRAPER_SITE_URLS")
# A running scrape saves its progress with every product; silent this long, its worker was lost.
SCRAPE_STALE_SECONDS = env_int("SCRAPE_STALE_SECONDS", 900)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # faiss logs which CPU build it tried at every import; only its failures matter.
    "loggers": {"faiss.loader": {"level": "WARNING"}},
}
# The demo store that `make run` serves for the demo profile (a process of its own: python -m synthetic.server).
DEMO_STORE_PRODUCTS = env_int("DEMO_STORE_PRODUCTS", 600)
DEMO_STORE_SEED = env_int("DEMO_STORE_SEED", 7)
# Who dresses its model shots: "stylist" (outfits that go together, the data `train_compatibility
# --source catalog` learns from) or "house" (plain garments, what the shipped view classifier saw).
DEMO_STORE_MODEL_SHOTS = env_str("DEMO_STORE_MODEL_SHOTS", "stylist")

# Shopper uploads: limits every photo must meet, how long looks are kept, and the API's rate.
LOOK_MAX_BYTES = env_int("LOOK_MAX_BYTES", 10 * 1024 * 1024)
LOOK_MAX_PIXELS = env_int("LOOK_MAX_PIXELS", 40_000_000)
LOOK_MAX_SIDE = env_int("LOOK_MAX_SIDE", 1600)  # stored photos are shrunk to this; the models use far less
LOOK_RETENTION_HOURS = env_int("LOOK_RETENTION_HOURS", 24 * 7)
LOOK_STALE_SECONDS = env_int("LOOK_STALE_SECONDS", 300)
LOOK_MAX_ATTEMPTS = env_int("LOOK_MAX_ATTEMPTS", 3)
LOOK_SWEEP_SECONDS = env_int("LOOK_SWEEP_SECONDS", 60)  # how often beat looks for looks a lost worker left
# Every endpoint that queues work is rate-limited, atomically in the cache below (shopthelook.limits):
# uploads per client, and changes to looks (gender, person, drawn boxes) per client and per look.
LOOK_RATE_LIMIT = env_int("LOOK_RATE_LIMIT", 20)  # uploads per client per minute
LOOK_CHANGE_RATE_LIMIT = env_int("LOOK_CHANGE_RATE_LIMIT", 30)  # changes per client per minute
LOOK_CHANGES_PER_LOOK = env_int("LOOK_CHANGES_PER_LOOK", 10)  # changes per look per minute
# Photos smaller than this on their short side cannot show an outfit: refused, never analysed.
LOOK_MIN_SIDE = env_int("LOOK_MIN_SIDE", 128)
# What adds to a result's similarity when it shares the garment's colours, texture, type and colour name
# (embeddings.ranking),
# chosen on the real photos' dev split, keeping the lookbook's validation Recall@10 (`manage.py evaluate_ranking`).
LOOK_RANKING = env_str("LOOK_RANKING", "colour=0.25,texture=0.3,type=2,name=1")
# Embed garment crops with everything off the person painted the catalog's plain backdrop. Off:
# measured, it cost Recall@1 0.627 -> 0.575 on the synthetic test split and moved colour
# agreement@8 on the real photos only from 0.449 to 0.466 (evaluate_real_photos --mask-crops).
LOOK_MASK_CROPS = env_bool("LOOK_MASK_CROPS", False)
# Run the pose detector and the gender reading on a second thread beside the other models: the same
# reading, a shorter wait. Turn it off where every core already runs its own worker process.
LOOK_OVERLAP_MODELS = env_bool("LOOK_OVERLAP_MODELS", True)
# The vector index: "faiss" (in each worker process) or "pgvector" (needs PostgreSQL with pgvector).
VECTOR_INDEX = env_str("VECTOR_INDEX", "faiss")
DATA_UPLOAD_MAX_MEMORY_SIZE = LOOK_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = LOOK_MAX_BYTES + 1024 * 1024
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-looks": {"task": "shopthelook.tasks.sweep_stale_looks", "schedule": float(LOOK_SWEEP_SECONDS)},
    "delete-old-looks": {"task": "shopthelook.tasks.delete_old_looks", "schedule": 3600.0},
    "sweep-lost-scrapes": {"task": "scraper.tasks.sweep_lost_scrapes", "schedule": float(LOOK_SWEEP_SECONDS)},
}
