"""Development: embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are absent, e-mails to var/mail."""

from chorus import embedded
from chorus.env import env_bool, env_list, env_str
from chorus.settings.base import *  # noqa: F403
from chorus.settings.base import (
    DATABASE_REPLICA_URL,
    DATABASE_URL,
    EMAIL_URL,
    REDIS_URL,
    cache_settings,
    database_settings,
    replica_settings,
)

DEBUG = True
# The portal's 404 and 500 pages even with DEBUG on (chorus.middleware.PagesErreurEnDeveloppement).
MIDDLEWARE = [*MIDDLEWARE, "chorus.middleware.PagesErreurEnDeveloppement"]  # noqa: F405
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# The demo accounts (GP, support) log in without an authenticator app; CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE=true
# turns the requirement on as in production.
CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = env_bool("CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE", default=False)

if not DATABASE_URL:
    # The embedded server, like production: the portal as the restricted application role, migrations (and
    # backups) as the superuser that owns the tables (chorus.roles).
    DATABASE_PROPRIETAIRE_URL = embedded.postgres_url()
    DATABASE_PROPRIETAIRE = database_settings(DATABASE_PROPRIETAIRE_URL)
    DATABASE_URL = embedded.postgres_url(role=embedded.ROLE_APPLICATIF)
DATABASES = {"default": database_settings(DATABASE_URL)}
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_settings(DATABASE_REPLICA_URL)
REDIS_URL = REDIS_URL or embedded.redis_url()
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CACHES = cache_settings(REDIS_URL)

if not EMAIL_URL:
    EMAIL_BACKEND = "chorus.mail.DevEmailBackend"
EMAIL_FILE_PATH = str(embedded.var_dir() / "mail")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
