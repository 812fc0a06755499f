"""Typed readers for settings taken from the environment.

Every setting of the portal goes through these helpers so that a wrong value fails at start-up with a message
that names the variable, instead of surfacing later as a confusing runtime error.
"""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir true ou false (reçu : {value!r}).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un entier (reçu : {value!r}).") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_email_url(url: str) -> dict:
    """Translate an ``EMAIL_URL`` into Django e-mail settings.

    Supported: ``smtp://user:pass@host:25``, ``smtp+tls://...`` (STARTTLS, port 587 by default),
    ``smtps://...`` (implicit TLS, port 465), ``console://``, ``file:///path/to/dir`` and ``dev://`` (console and
    files under ``var/mail``, the development default).
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    settings: dict = {}
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
        settings["EMAIL_HOST"] = parsed.hostname or "localhost"
        default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
        try:
            settings["EMAIL_PORT"] = parsed.port or default_port
        except ValueError as exc:
            raise ImproperlyConfigured("EMAIL_URL : le port doit être un entier.") from exc
        settings["EMAIL_HOST_USER"] = unquote(parsed.username or "")
        settings["EMAIL_HOST_PASSWORD"] = unquote(parsed.password or "")
        settings["EMAIL_USE_TLS"] = scheme == "smtp+tls"
        settings["EMAIL_USE_SSL"] = scheme == "smtps"
        if "timeout" in query:
            try:
                settings["EMAIL_TIMEOUT"] = int(query["timeout"])
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"EMAIL_URL : timeout doit être un entier (reçu : {query['timeout']!r})."
                ) from exc
    elif scheme == "console":
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    elif scheme == "file":
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        settings["EMAIL_FILE_PATH"] = unquote(parsed.path)
    elif scheme == "dev":
        settings["EMAIL_BACKEND"] = "chorus.mail.DevEmailBackend"
    elif scheme == "locmem":
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    else:
        raise ImproperlyConfigured(
            f"EMAIL_URL : schéma {scheme!r} inconnu (smtp, smtp+tls, smtps, console, file, dev, locmem)."
        )
    return settings
