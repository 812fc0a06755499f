"""Read-only pages served from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``), everything else from the
primary.

A request is read-only when it is a GET or HEAD of one of the pages named in ``CHORUS_PAGES_REPLIQUE`` (lists,
searches, dashboards, exports: the pages that read the most and write nothing). Inside such a request, the router
sends reads to the ``replica`` alias, except:

- inside a transaction on the primary (``atomic``: what it reads must be what it is about to write), which also
  covers ``select_for_update`` (a write-intent query, routed as a write);
- after any write of the same request (its own change must be read back);
- during a few seconds after a request of the same browser wrote (``CHORUS_REPLIQUE_APRES_ECRITURE_SECONDES``, a
  cookie): the replica may lag behind, and the list a user is sent to after saving must show what was saved.

A replica that cannot be reached is not an outage: the request reads the primary (and the log says why).
Writes always go to ``default``; so do Celery tasks, management commands and every other page. Without
``DATABASE_REPLICA_URL`` there is no ``replica`` alias and this module changes nothing.
"""

import contextvars
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLIQUE = "replica"
COOKIE_ECRITURE = "chorus_ecriture_recente"
METHODES_LECTURE = frozenset({"GET", "HEAD"})


@dataclass
class _Requete:
    lecture_seule: bool = False
    a_ecrit: bool = False
    # None until the first read of the request asks; then whether the replica answered.
    replique_joignable: bool | None = None


# The state of the request being served; None outside any request (tasks, commands: always the primary).
_REQUETE: contextvars.ContextVar[_Requete | None] = contextvars.ContextVar("requete_routage", default=None)


def replique_configuree() -> bool:
    return REPLIQUE in connections.settings


def lecture_sur_replique() -> bool:
    """Whether a read issued now may go to the replica."""
    etat = _REQUETE.get()
    return (
        etat is not None
        and etat.lecture_seule
        and not etat.a_ecrit
        and replique_configuree()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and _joignable(etat)
    )


def _joignable(etat: _Requete) -> bool:
    """Connects to the replica once per request (a no-op while its persistent connection is open)."""
    if etat.replique_joignable is None:
        try:
            connections[REPLIQUE].ensure_connection()
        except DatabaseError as erreur:
            logger.warning("Réplique injoignable, lecture sur la base principale : %s", erreur)
            etat.replique_joignable = False
        else:
            etat.replique_joignable = True
    return etat.replique_joignable


class RouteurReplique:
    """``DATABASE_ROUTERS``: reads of read-only requests to the replica, all writes to the primary."""

    def db_for_read(self, model, **hints):
        return REPLIQUE if lecture_sur_replique() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        etat = _REQUETE.get()
        if etat is not None:
            etat.a_ecrit = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same database, one copy of it behind the other

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a standby is read-only: it follows the primary's schema


def _dans_la_requete(morceaux, etat: _Requete):
    """A streamed export is produced after the middleware returned: each chunk is read in the request's state."""
    iterateur = iter(morceaux)
    while True:
        jeton = _REQUETE.set(etat)
        try:
            morceau = next(iterateur)
        except StopIteration:
            return
        finally:
            _REQUETE.reset(jeton)
        yield morceau


class LectureSurRepliqueMiddleware:
    """Marks the request read-only (see the module) and, after a request that wrote, sets the short cookie that
    keeps the next pages of this browser on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        etat = _Requete()
        jeton = _REQUETE.set(etat)
        try:
            reponse = self.get_response(request)
        finally:
            _REQUETE.reset(jeton)
        if getattr(reponse, "streaming", False) and etat.lecture_seule:
            reponse.streaming_content = _dans_la_requete(reponse.streaming_content, etat)
        if etat.a_ecrit and replique_configuree():
            reponse.set_cookie(
                COOKIE_ECRITURE,
                "1",
                max_age=settings.CHORUS_REPLIQUE_APRES_ECRITURE_SECONDES,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return reponse

    def process_view(self, request, view_func, view_args, view_kwargs):
        etat = _REQUETE.get()
        if etat is not None:
            etat.lecture_seule = (
                request.method in METHODES_LECTURE
                and request.resolver_match is not None
                and request.resolver_match.url_name in settings.CHORUS_PAGES_REPLIQUE
                and COOKIE_ECRITURE not in request.COOKIES
            )
