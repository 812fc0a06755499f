"""Append-only history: the pattern every lifecycle's history model follows.

A concrete history model subclasses :class:`HistoriqueBase` and declares ``objet = ForeignKey(...)`` to the
object whose lifecycle it records. Rows are chained: each stores the SHA-256 of its own content and of the
previous row of the same object, so a removed or altered row shows in :meth:`HistoriqueBase.chaine_intacte`.
The database itself refuses UPDATE and DELETE on the table (trigger installed by :func:`append_only_sql` in the
model's migration), so the history cannot be rewritten through the ORM, the admin or SQL.
"""

import hashlib
import json

from django.apps import apps
from django.db import models
from django.utils import timezone

from chorus.champs import utilisateur_facultatif


class HistoriqueBase(models.Model):
    created_at = models.DateTimeField("date", default=timezone.now)
    acting_user = utilisateur_facultatif("acteur", help_text="Vide pour une action du système.")
    role = models.CharField("rôle", max_length=50, blank=True)
    statut_precedent = models.CharField("statut précédent", max_length=60, blank=True)
    statut = models.CharField("nouveau statut", max_length=60)
    motif = models.TextField(blank=True)
    commentaire = models.TextField(blank=True)
    empreinte_precedente = models.CharField(max_length=64, blank=True)
    empreinte = models.CharField(max_length=64)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def contenu_empreinte(self) -> str:
        return json.dumps(
            [
                self.objet_id,
                self.created_at.isoformat(),
                self.acting_user_id,
                self.role,
                self.statut_precedent,
                self.statut,
                self.motif,
                self.commentaire,
                self.empreinte_precedente,
            ],
            ensure_ascii=False,
        )

    def calculer_empreinte(self) -> str:
        return hashlib.sha256(self.contenu_empreinte().encode()).hexdigest()

    @classmethod
    def nouvelle(
        cls,
        *,
        objet,
        precedente: str,
        acting_user,
        statut_precedent: str,
        statut: str,
        role: str = "",
        motif="",
        commentaire="",
        **champs,
    ):
        """The next row of ``objet``'s chain, hashed, not saved: ``precedente`` is the hash of the chain's tail (""
        for a chain that starts). The one place a row's hash is computed, whether rows are added one at a time
        (``ajouter``) or many at once (``chorus.workflow.Workflow.transition_en_masse``)."""
        row = cls(
            objet=objet,
            acting_user=acting_user,
            role=role,
            statut_precedent=statut_precedent,
            statut=statut,
            motif=motif or "",
            commentaire=commentaire or "",
            empreinte_precedente=precedente or "",
            **champs,
        )
        row.empreinte = row.calculer_empreinte()
        return row

    @classmethod
    def queue(cls, objet) -> str:
        """The hash of the last row of ``objet``'s chain ("" when it has none)."""
        return (
            cls.objects.filter(objet=objet).order_by("-created_at", "-id").values_list("empreinte", flat=True).first()
            or ""
        )

    @classmethod
    def queues(cls, objets) -> dict:
        """``queue`` of many objects in one query: {object's pk: hash of its chain's tail} ("" when none)."""
        pks = [o.pk for o in objets]
        trouvees = dict(
            cls.objects.filter(objet_id__in=pks)
            .order_by("objet_id", "-created_at", "-id")
            .distinct("objet_id")
            .values_list("objet_id", "empreinte")
        )
        return {pk: trouvees.get(pk, "") for pk in pks}

    @classmethod
    def ajouter(cls, *, objet, **ligne):
        """Append a row (``ligne``: ``nouvelle``'s keywords but ``precedente``, the concrete model's own fields
        included). The caller holds the lock on ``objet`` (see ``chorus.workflow``), so the chain's tail cannot
        move under us."""
        row = cls.nouvelle(objet=objet, precedente=cls.queue(objet), **ligne)
        row.save(force_insert=True)
        return row

    @classmethod
    def ajouter_creation(cls, *, objet, acting_user, statut: str, role: str = "", commentaire="", **champs):
        """The first row of ``objet``'s history, its creation: from no status to ``statut``."""
        return cls.ajouter(
            objet=objet,
            acting_user=acting_user,
            statut_precedent="",
            statut=statut,
            role=role,
            commentaire=commentaire,
            **champs,
        )

    @classmethod
    def chaine_intacte(cls, objet) -> bool:
        precedente = ""
        for row in cls.objects.filter(objet=objet).order_by("created_at", "id"):
            if row.empreinte_precedente != precedente or row.empreinte != row.calculer_empreinte():
                return False
            precedente = row.empreinte
        return True


def modeles_historiques() -> list[type[HistoriqueBase]]:
    """Every concrete history model, whichever app declares it (the kit imports no domain app): what
    ``verifier_historiques`` checks, the application role may only append to, and a backup counts."""
    return sorted((m for m in apps.get_models() if issubclass(m, HistoriqueBase)), key=lambda m: m._meta.label)


def append_only_sql(table: str) -> tuple[str, str]:
    """(forward, reverse) SQL for a migration's ``RunSQL``: forbid UPDATE and DELETE on ``table``.

    TRUNCATE stays possible for the table's owner (``manage.py flush``, test isolation); the application's role
    never has it, nor UPDATE and DELETE, and cannot disable this trigger (``chorus.roles``)."""
    forward = f"""
        CREATE OR REPLACE FUNCTION chorus_historique_immuable() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'Historique en ajout seul : % interdit sur %', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER {table}_immuable
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION chorus_historique_immuable();
    """
    reverse = f"""
        DROP TRIGGER IF EXISTS {table}_immuable ON {table};
    """
    return forward, reverse
