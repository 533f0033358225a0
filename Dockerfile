# syntax=docker/dockerfile:1
#
# Council document tracker: production image.
#
#   docker build -t council-tracker .
#
# Stage "builder" installs the pinned runtime dependencies (requirements.txt)
# into a virtualenv at /opt/venv; stage "runtime" copies only that virtualenv
# plus the source, collects static files and runs gunicorn as an unprivileged
# user with a fixed UID/GID. No apt packages are needed: every dependency ships
# a manylinux wheel (psycopg[binary] bundles libpq).
#
# The image is configured entirely through environment variables (see
# compose.yaml): DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, DEBUG,
# ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, EMAIL_URL, MEDIA_ROOT, and
# DATABASE_REPLICA_URLS for read replicas. Workers and beat run this image too.
# Extra gunicorn options can be passed with GUNICORN_CMD_ARGS.

FROM python:3.11.14-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:${PATH}"


FROM base AS builder

WORKDIR /build
COPY requirements.txt .
# /opt/venv does not exist yet, so "python" here is the base image's
# /usr/local/bin/python; afterwards PATH resolves pip to the venv's pip.
RUN python -m venv "${VIRTUAL_ENV}" \
    && pip install --no-cache-dir -r requirements.txt


FROM base AS runtime

ARG APP_UID=10001
ARG APP_GID=10001

RUN groupadd --system --gid "${APP_GID}" app \
    && useradd --system --no-log-init --uid "${APP_UID}" --gid app \
        --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

COPY --from=builder /opt/venv /opt/venv
# Source stays owned by root (read-only for the app user); see .dockerignore.
COPY . .

# collectstatic imports the settings, which refuse to start with DEBUG off and
# no real SECRET_KEY: give it a throwaway random key that exists only for this
# command (never persisted in an image layer or ENV). DATABASE_URL likewise
# only has to parse; collectstatic does not connect to the database.
# /app/media is created owned by the app user so that a fresh named volume
# mounted there inherits that ownership and uploads are writable.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        DATABASE_URL="sqlite://:memory:" \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown "${APP_UID}:${APP_GID}" /app/media

USER ${APP_UID}:${APP_GID}

EXPOSE 8000

# No curl in the slim image: probe /healthz with the standard library.
# urlopen raises (exit status 1) on connection errors and non-2xx responses.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]

CMD ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
