"""Test settings: the real settings, pointed at the local PostgreSQL and Redis by default.

Every value can still be overridden from the environment (CI does not need to).
"""

import os
from pathlib import Path

os.environ.setdefault("READ_DOT_ENV", "false")  # a developer's .env never steers the suite
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault(
    "SECRET_KEY",
    "tests-only-5tq0m9Yx2vLr8KpWz3HcNd6JbFg1QsTeUo7Ai4-kept-in-the-repository-on-purpose",
)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("EMAIL_URL", "consolemail://")

from tracker.settings import *  # noqa: F403

# Tests speak plain HTTP to the test client; the production redirect is tested on its own.
SECURE_SSL_REDIRECT = False
# Hashing passwords slowly is a production property, not one the tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Static files are served from the apps (finders), never collected, in tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT", "/tmp/tracker-test-media")
DUMPS_ROOT = Path(MEDIA_ROOT) / "dumps"
# Lockouts are asserted in tests; the log line per login attempt is noise there.
AXES_VERBOSE = False
LOGGING = {**LOGGING, "loggers": {"axes": {"level": "WARNING"}}}  # noqa: F405
