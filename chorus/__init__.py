"""Project package: settings, URLs, the Celery app and the cross-cutting kit shared by every domain app."""

from chorus.celery import app as celery_app

__all__ = ["celery_app"]
