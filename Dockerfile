# syntax=docker/dockerfile:1
# Production image of the portal: gunicorn by default; the same image runs the Celery worker and beat
# (see docker-compose.yml). Configuration comes from the environment only (chorus/settings/production.py
# refuses to start without DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and EMAIL_URL).
FROM python:3.11-slim

# PYTHONPATH: the sources in /app come before the installed copy, so that BASE_DIR is /app in every process
# (manage.py, gunicorn, celery): templates/ and static/ live there, next to the packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=chorus.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media

WORKDIR /app

# Dependencies first, pinned by requirements.lock: this layer is rebuilt only when one of these two files changes.
# (No package source is copied yet, so this installs the dependencies and an empty project wheel.)
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock .

# The project itself.
COPY . .
RUN pip install --no-deps -c requirements.lock .

# Hashed, compressed static files (whitenoise manifest). Production settings demand their variables even for
# collectstatic: these values are placeholders that exist only for this RUN line and never reach the image.
RUN SECRET_KEY=build-only-placeholder-key-for-collectstatic-0123456789abcdef \
    DATABASE_URL=postgresql://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost \
    EMAIL_URL=console:// \
    python manage.py collectstatic --noinput --verbosity 1

# An unprivileged user; it owns only the uploaded files (a volume in docker-compose.yml).
RUN groupadd --system --gid 10001 chorus \
    && useradd --system --uid 10001 --gid chorus --home-dir /app --no-create-home --shell /usr/sbin/nologin chorus \
    && mkdir -p /app/var/media \
    && chown -R chorus:chorus /app/var
USER chorus

EXPOSE 8000

# Workers: gunicorn reads WEB_CONCURRENCY (default 1). The probe of /health is defined on the web service of
# docker-compose.yml (the worker and beat containers of this same image serve no HTTP).
CMD ["gunicorn", "chorus.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
