"""Production: real PostgreSQL and Redis servers only, secure cookies and headers. Refuses to boot otherwise."""

from django.core.exceptions import ImproperlyConfigured

from chorus.env import env_bool, env_int
from chorus.settings.base import *  # noqa: F403
from chorus.settings.base import (
    ALLOWED_HOSTS,
    CHORUS_BAC_A_SABLE,
    DATABASE_PROPRIETAIRE_URL,
    DATABASE_REPLICA_URL,
    DATABASE_URL,
    DEBUG,
    EMAIL_URL,
    REDIS_URL,
    SECRET_KEY,
    STOCKAGE_FICHIERS,
    cache_settings,
)

_problems = []
if DEBUG:
    _problems.append("DEBUG doit être désactivé en production.")
if not SECRET_KEY or len(SECRET_KEY) < 50 or "insecure" in SECRET_KEY:
    _problems.append("SECRET_KEY doit être fournie (au moins 50 caractères aléatoires).")
if not DATABASE_URL:
    _problems.append("DATABASE_URL est obligatoire : la base PostgreSQL embarquée est réservée au développement.")
elif not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    _problems.append("DATABASE_URL doit désigner un serveur PostgreSQL.")
if DATABASE_PROPRIETAIRE_URL and not DATABASE_PROPRIETAIRE_URL.startswith(("postgres://", "postgresql://")):
    _problems.append("DATABASE_PROPRIETAIRE_URL doit désigner un serveur PostgreSQL.")
if DATABASE_REPLICA_URL and not DATABASE_REPLICA_URL.startswith(("postgres://", "postgresql://")):
    _problems.append("DATABASE_REPLICA_URL doit désigner un serveur PostgreSQL (une réplique de DATABASE_URL).")
if not REDIS_URL:
    _problems.append("REDIS_URL est obligatoire : le Redis embarqué est réservé au développement.")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    _problems.append("ALLOWED_HOSTS doit lister les noms d'hôte du portail (pas de « * »).")
if not EMAIL_URL:
    _problems.append("EMAIL_URL est obligatoire (par exemple smtp+tls://utilisateur:motdepasse@smtp.exemple.fr).")
if CHORUS_BAC_A_SABLE:
    _problems.append("CHORUS_BAC_A_SABLE est réservé au bac à sable : il permet de forcer le statut d'une facture.")
if _problems:
    raise ImproperlyConfigured("Configuration de production refusée :\n- " + "\n- ".join(_problems))

CACHES = cache_settings(REDIS_URL)
STORAGES = {
    "default": STOCKAGE_FICHIERS,
    # whitenoise's compressed manifest, each URL computed once (chorus.statiques).
    "staticfiles": {"BACKEND": "chorus.statiques.FichiersStatiques"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# /health is probed over plain HTTP by the orchestrator inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
