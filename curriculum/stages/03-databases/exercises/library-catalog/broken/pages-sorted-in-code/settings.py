"""The whole Django configuration of the library catalog: one app, one SQLite database under DATA_DIR."""

import os
from pathlib import Path

# The only folder the app may write to, and the only one that survives a restart; ./data locally.
DATA_DIR = Path(os.environ.get("DATA_DIR") or "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "library-catalog-not-secret")  # no sessions or signing here
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = ["catalog"]
MIDDLEWARE = []  # a JSON API without sessions, cookies or CSRF
ROOT_URLCONF = "urls"

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "library.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

# runserver logs every request, and Django logs every 4xx as a warning: keep only real errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
