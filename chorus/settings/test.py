"""Tests: PostgreSQL always (the embedded server unless DATABASE_URL is set), fast hashing, in-memory e-mail."""

from chorus import embedded
from chorus.env import env_str, parse_email_url
from chorus.settings.base import *  # noqa: F403
from chorus.settings.base import DATABASE_URL, REDIS_URL, STOCKAGE_FICHIERS, database_settings

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflow_demo"]  # noqa: F405
SECRET_KEY = "test-only-secret-key"  # nosec B105  # test settings only; production refuses a weak key
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Hundreds of tests log GP accounts in without a second factor; the tests of the second factor turn it on
# (override_settings, tests/organisation/test_double_authentification.py).
CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = False

DATABASE_URL = DATABASE_URL or embedded.postgres_url()
DATABASES = {"default": database_settings(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": env_str("CHORUS_TEST_DB_NAME", "test_chorus")}
# pytest-django creates the test database as its owner and the suite runs with that one role; the restricted
# application role is built by its own test (tests/chorus/test_role_applicatif.py).
DATABASE_PROPRIETAIRE = None
# Database 1 keeps test messages away from a developer's running portal (database 0).
REDIS_URL = REDIS_URL or embedded.redis_url(db=1)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Tests keep the cache in memory so that each test starts from an empty one (emptying the Redis cache would flush
# a database that parallel runs share); the Redis cache of dev and production is exercised by the integration tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Argon2 is the real hasher (base settings); tests hash thousands of passwords, so they use a fast one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A real worker process started by a test may write its e-mails to files (``file:///dossier``) the test then counts.
if env_str("CHORUS_TEST_EMAIL_URL"):
    globals().update(parse_email_url(env_str("CHORUS_TEST_EMAIL_URL")))
STORAGES = {
    "default": STOCKAGE_FICHIERS,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A portal process started by a test on a database of its own keeps its files apart too.
MEDIA_ROOT = env_str("CHORUS_TEST_MEDIA_ROOT") or embedded.var_dir() / "test-media"
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "!!MISSING %s!!"  # noqa: F405
MIDDLEWARE = [*MIDDLEWARE, "chorus.middleware.TemplateVariableCheckMiddleware"]  # noqa: F405
# Static files come from the apps' folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
