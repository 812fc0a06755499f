import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings.dev")
# Celery's Django fixup runs Django's system checks as a worker starts; the URL checks import the whole URL conf,
# hence every view, Django REST framework, drf-spectacular and django.test (+16 MB in each worker, for pages it never
# serves: BENCHMARKS.md « A worker without the web side »). The checks run where the code is served or deployed
# (``manage.py migrate`` / ``check``, the web process, the test suite), not once more in every worker.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("chorus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
