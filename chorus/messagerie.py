"""« Mes messages »: every notification of the portal, kept in the recipient's inbox and e-mailed unless they
chose otherwise.

The one place where a notification is produced is ``notifier``: it writes one ``Message`` per recipient user and
queues the e-mail (``chorus.mail.envoyer_email``, through the outbox, after commit) for those who keep « Recevoir
aussi par courriel » (the default) for that type of message. ``envoyer_email`` alone is for e-mails that are not
notifications of a user's affairs (a password reset link, sent to an address).

The kit does not import the domain apps: each app registers its types of message (``register_type_message``) in
its ``AppConfig.ready``, as it registers its applications with ``chorus.navigation``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from chorus.mail import envoyer_email
from chorus.models import Message, PreferenceMessage

PREFIXE_SUJET = "Chorus Pro - "
# The header's unread count is on every page: kept in the shared cache, forgotten whenever the user's unread
# messages change (a notification, a message read); the expiry bounds what escapes that (a direct database change).
DUREE_CACHE_NON_LUS = 300


@dataclass(frozen=True)
class TypeMessage:
    """A kind of notification, as the user chooses it on « Préférences » (``application``: the group it is
    listed under, the words of the portal's applications)."""

    code: str
    libelle: str
    application: str
    ordre: int = 100


_types: dict[str, TypeMessage] = {}


def register_type_message(type_message: TypeMessage) -> None:
    _types[type_message.code] = type_message


def types_messages() -> list[TypeMessage]:
    return sorted(_types.values(), key=lambda t: (t.ordre, t.application, t.libelle))


def libelle_type(code: str) -> str:
    type_message = _types.get(code)
    return type_message.libelle if type_message else code


def notifier(destinataires: Iterable, *, evenement: str, sujet: str, corps: str, courriel: bool = True) -> int:
    """Notify each user of ``destinataires`` (users, or a queryset of them): a message in their inbox, and the
    e-mail ``sujet``/``corps`` unless they turned it off for ``evenement`` or the caller says ``courriel=False``
    (a structure that exchanges by EDI or API is not e-mailed about its invoices). Call it inside the transaction of the
    change: a rolled back change leaves neither. Returns how many users were notified. Queries: one insert, one
    read of the preferences, one outbox row per e-mail."""
    if evenement not in _types:
        raise ValueError(f"Unknown message type {evenement!r}.")
    users = {user.pk: user for user in destinataires if user is not None}
    if not users:
        return 0
    maintenant = timezone.now()
    Message.objects.bulk_create(
        Message(
            destinataire_id=pk,
            evenement=evenement,
            sujet=sujet.removeprefix(PREFIXE_SUJET)[:300],
            corps=corps,
            created_at=maintenant,
        )
        for pk in users
    )
    compte_modifie(list(users))
    if not courriel:
        return len(users)
    sans_courriel = set(
        PreferenceMessage.objects.filter(
            utilisateur_id__in=list(users), evenement=evenement, par_courriel=False
        ).values_list("utilisateur_id", flat=True)
    )
    for pk, user in users.items():
        if pk not in sans_courriel and user.email:
            envoyer_email(destinataires=[user.email], sujet=sujet, corps=corps)
    return len(users)


# --- The inbox ---------------------------------------------------------------------------------------------------


def messages_de(user, *, non_lus: bool = False):
    qs = Message.objects.filter(destinataire=user)
    return qs.filter(lu_le__isnull=True) if non_lus else qs


def _cle(user_id) -> str:
    return f"messages:non_lus:{user_id}"


def nombre_non_lus(user) -> int:
    """The header's count, on every page: from the cache, else one COUNT on the partial index of unread
    messages."""
    nombre = cache.get(_cle(user.pk))
    if nombre is None:
        nombre = Message.objects.filter(destinataire=user, lu_le__isnull=True).count()
        cache.set(_cle(user.pk), nombre, DUREE_CACHE_NON_LUS)
    return nombre


def compte_modifie(user_ids: list[int]) -> None:
    """These users' cached unread counts are stale: forgotten now and again once the transaction commits (a count
    read in between would have cached the state before the change)."""
    cles = [_cle(pk) for pk in user_ids]
    cache.delete_many(cles)
    transaction.on_commit(lambda: cache.delete_many(cles))


def marquer_lus(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages ``ids`` (all of them when None) as read; others' ids are ignored."""
    qs = Message.objects.filter(destinataire=user, lu_le__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    nombre = qs.update(lu_le=timezone.now())
    if nombre:
        compte_modifie([user.pk])
    return nombre


# --- Preferences -------------------------------------------------------------------------------------------------


def preferences_de(user) -> dict[str, bool]:
    """{type code: receive also by e-mail} for every registered type (default True)."""
    choix = dict(
        PreferenceMessage.objects.filter(utilisateur=user, evenement__in=list(_types)).values_list(
            "evenement", "par_courriel"
        )
    )
    return {t.code: choix.get(t.code, True) for t in types_messages()}


@transaction.atomic
def enregistrer_preferences(user, par_courriel: dict[str, bool]) -> None:
    inconnus = set(par_courriel) - set(_types)
    if inconnus:
        raise ValueError(f"Unknown message types {sorted(inconnus)!r}.")
    for code, valeur in par_courriel.items():
        PreferenceMessage.objects.update_or_create(
            utilisateur=user, evenement=code, defaults={"par_courriel": bool(valeur)}
        )
