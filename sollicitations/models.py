"""Sollicitations: support requests sent by a structure's user to the Chorus Pro support desk or to a public
structure's business service, their exchanges, attachments and append-only history. Statuses change only through
``sollicitations.services`` (one status machine, ``CIRCUIT``)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chorus.champs import lien_facultatif
from chorus.compteurs import CompteurBase, cle, index_a_compacter
from chorus.history import HistoriqueBase
from organisation import queries as org_queries
from organisation.enums import Application, Niveau
from organisation.queries import condition_perimetre
from sollicitations.enums import Acheminement, StatutSollicitation


class Categorie(models.Model):
    """The first level of Chorus Pro's « catégorie / sous-catégorie » (API ``codeCategorie``, ``libelleCategorie``,
    ``estActif``)."""

    code = models.CharField(max_length=50, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    actif = models.BooleanField(default=True)
    ordre = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "catégorie de sollicitation"
        verbose_name_plural = "catégories de sollicitation"
        ordering = ["ordre", "libelle", "id"]

    def __str__(self):
        return self.libelle


class SousCategorie(models.Model):
    """The second level; it decides where a request goes (``acheminement``)."""

    categorie = models.ForeignKey(
        Categorie, verbose_name="catégorie", on_delete=models.PROTECT, related_name="sous_categories"
    )
    code = models.CharField(max_length=50)
    libelle = models.CharField("libellé", max_length=150)
    actif = models.BooleanField(default=True)
    ordre = models.PositiveSmallIntegerField(default=100)
    acheminement = models.CharField(max_length=20, choices=Acheminement.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sous-catégorie de sollicitation"
        verbose_name_plural = "sous-catégories de sollicitation"
        ordering = ["categorie_id", "ordre", "libelle", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["categorie", "code"],
                name="sous_categorie_code_unique_par_categorie",
                violation_error_message="Ce code de sous-catégorie existe déjà dans la catégorie.",
            ),
        ]

    def __str__(self):
        return self.libelle

    @property
    def vers_service_metier(self) -> bool:
        return self.acheminement == Acheminement.SERVICE_METIER


def est_agent_support(user) -> bool:
    """``organisation.queries.est_agent_support``, asked once per request (kept on the user object)."""
    if not hasattr(user, "_chorus_agent_support"):
        user._chorus_agent_support = org_queries.est_agent_support(user)
    return user._chorus_agent_support


def _condition_recues(user, niveau: str, *, structure: str, service: str, avec: Q | None = None, au_support: Q) -> Q:
    """« Sollicitations reçues »: the rows of the structures where the user holds the profile (of their services
    only for a user attached at service level) and, for an agent of the support desk, ``au_support`` (the rows of
    the sollicitations routed to the support)."""
    condition = condition_perimetre(
        user, Application.SOLLICITATIONS_RECUES, niveau, structure=structure, service=service, avec=avec
    )
    if est_agent_support(user):
        condition |= au_support
    return condition


class SollicitationQuerySet(models.QuerySet):
    """The sollicitations a user may see, one entry point per application, each the perimeter condition of
    ``organisation.queries.condition_perimetre`` on the sollicitation's own structure and service fields:
    composable, and the one door of every page, export and e-mail (``sollicitations.queries`` wraps them)."""

    def emises_par(self, user, niveau: str = Niveau.CONSULTATION):
        """« Sollicitations émises »: sent from the structures where the user holds the profile (from their
        services only for a user attached at service level)."""
        return self.filter(
            condition_perimetre(
                user,
                Application.SOLLICITATIONS_EMISES,
                niveau,
                structure="structure_emettrice",
                service="service_emetteur",
            )
        )

    def recues_par(self, user, niveau: str = Niveau.CONSULTATION):
        """« Sollicitations reçues »: addressed to the structures where the user holds the profile (to their
        services only for a user attached at service level) and, for an agent of the support desk, those routed
        to the support."""
        # ``au_support=False`` in each branch: the predicate of the partial indexes « sollicitation_recues_* ».
        return self.filter(
            _condition_recues(
                user,
                niveau,
                structure="structure_destinataire",
                service="service_destinataire",
                avec=Q(au_support=False),
                au_support=Q(au_support=True),
            )
        )


class Sollicitation(models.Model):
    numero = models.CharField("numéro", max_length=20, unique=True)
    date_depot = models.DateTimeField("date de dépôt", default=timezone.now)
    statut = models.CharField(max_length=30, choices=StatutSollicitation.choices, default=StatutSollicitation.A_TRAITER)

    # The sender: a user, in the name of one of their structures (and one of its services).
    emetteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposant",
        on_delete=models.PROTECT,
        related_name="sollicitations_deposees",
    )
    structure_emettrice = models.ForeignKey(
        "organisation.Structure",
        verbose_name="structure émettrice",
        on_delete=models.PROTECT,
        related_name="sollicitations_emises",
    )
    service_emetteur = lien_facultatif("organisation.Service", "service émetteur")
    courriel_contact = models.EmailField("adresse électronique de contact")
    telephone_contact = models.CharField("téléphone de contact", max_length=30, blank=True)

    # The receiving side: the support desk, or a public structure (and one of its services). After a « Mauvaise
    # affectation » the structure stays recorded (where the request was first sent) while ``au_support`` is true.
    au_support = models.BooleanField("adressée au support Chorus Pro", default=False)
    structure_destinataire = lien_facultatif(
        "organisation.Structure", "structure destinataire", related_name="sollicitations_recues"
    )
    service_destinataire = lien_facultatif(
        "organisation.Service", "service destinataire", related_name="sollicitations_recues"
    )
    assignee_a = lien_facultatif(settings.AUTH_USER_MODEL, "assignée à", related_name="sollicitations_assignees")

    categorie = models.ForeignKey(Categorie, verbose_name="catégorie", on_delete=models.PROTECT, related_name="+")
    sous_categorie = models.ForeignKey(
        SousCategorie, verbose_name="sous-catégorie", on_delete=models.PROTECT, related_name="+"
    )
    objet = models.CharField(max_length=200)
    message = models.TextField("description")
    numero_facture = models.CharField("numéro de facture", max_length=50, blank=True)
    siret_concerne = models.CharField("SIRET concerné", max_length=14, blank=True)

    date_cloture = models.DateTimeField("date de clôture", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SollicitationQuerySet.as_manager()

    class Meta:
        verbose_name = "sollicitation"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(au_support=True) | Q(structure_destinataire__isnull=False),
                name="sollicitation_destinataire_renseigne",
                violation_error_message="Une sollicitation s'adresse au support ou à une structure publique.",
            ),
        ]
        # Every list reads newest (or oldest) first by id, keyset-paginated: each index ends with id.
        indexes = [
            # « Sollicitations émises »: Rechercher (every status) and Synthèse / a status filter.
            models.Index(fields=["structure_emettrice", "-id"], name="sollicitation_emises_idx"),
            models.Index(fields=["structure_emettrice", "statut", "-id"], name="sollicitation_emises_st_idx"),
            # « Sollicitations reçues » of a public structure: Rechercher, and « Mes sollicitations à traiter ».
            models.Index(
                fields=["structure_destinataire", "-id"], name="sollicitation_recues_idx", condition=Q(au_support=False)
            ),
            models.Index(
                fields=["structure_destinataire", "statut", "-id"],
                name="sollicitation_recues_st_idx",
                condition=Q(au_support=False),
            ),
            # The support desk's lists.
            models.Index(fields=["-id"], name="sollicitation_support_idx", condition=Q(au_support=True)),
            models.Index(fields=["statut", "-id"], name="sollicitation_support_st_idx", condition=Q(au_support=True)),
        ]

    def __str__(self):
        return f"Sollicitation {self.numero}"


# The counters' structure of the sollicitations routed to the support desk (no structure has this id).
SUPPORT = 0


class CompteurSollicitationsQuerySet(models.QuerySet):
    def recues_par(self, user, niveau: str = Niveau.CONSULTATION):
        """The counters of ``Sollicitation.objects.recues_par``'s sollicitations: the same perimeter on the
        counter's structure and service, and the support desk's row for its agents."""
        return self.filter(
            _condition_recues(user, niveau, structure="structure", service="service", au_support=Q(structure=SUPPORT))
        )


class CompteurSollicitations(CompteurBase):
    """How many sollicitations a public structure (one of its services, or none) — or the support desk, structure
    ``SUPPORT`` — has received in each état: the sum of ``nombre`` over the rows of a key (structure, service,
    statut). Written by the database only: the kit's statement triggers (``chorus.compteurs``, migration 0004) on
    ``sollicitations_sollicitation`` append one row per key a statement changed (a deposit, a transition, a
    « Mauvaise affectation » to the support, a réaffectation, a COPY of the bench seed);
    ``sollicitations.compteurs`` folds them (beat, every minute)."""

    statut = models.CharField(max_length=30, choices=StatutSollicitation.choices)
    structure = cle("organisation.Structure")  # ``SUPPORT``: no structure, the support desk
    service = cle("organisation.Service", null=True)

    objects = CompteurSollicitationsQuerySet.as_manager()

    class Meta:
        verbose_name = "compteur de sollicitations reçues"
        verbose_name_plural = "compteurs de sollicitations reçues"
        indexes = [
            # The dashboard's read (one structure's rows), and the fold's match of a key.
            models.Index(fields=["structure", "statut"], include=["service", "nombre"], name="compteur_sollicit_idx"),
            index_a_compacter("compteur_sollicit_compact_idx"),
        ]

    def __str__(self):
        return f"{self.structure_id}/{self.service_id or '-'} {self.statut} : {self.nombre}"


class Message(models.Model):
    """One exchange after the deposit (the deposit's own text is ``Sollicitation.message``). A receiving side's
    message written while the request is « En cours » is a draft (« Brouillon »): hidden from the sender until
    the answer is given."""

    sollicitation = models.ForeignKey(Sollicitation, on_delete=models.PROTECT, related_name="messages")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("rôle", max_length=20)
    texte = models.TextField(blank=True)
    brouillon = models.BooleanField(default=False)
    created_at = models.DateTimeField("date", default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "message"
        ordering = ["sollicitation_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sollicitation"],
                condition=Q(brouillon=True),
                name="message_un_brouillon_par_sollicitation",
                violation_error_message="Une sollicitation a au plus un brouillon de réponse.",
            ),
        ]
        indexes = [models.Index(fields=["sollicitation", "created_at", "id"], name="message_sollicitation_idx")]

    def __str__(self):
        return f"Message de {self.auteur} ({self.created_at:%d/%m/%Y})"


def _chemin_piece(instance, filename):
    """A random stored name: the original one is kept in ``nom_fichier`` and never reaches the file system."""
    extension = PurePath(filename).suffix.lower()[:10]
    return f"sollicitations/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class PieceJointe(models.Model):
    sollicitation = models.ForeignKey(Sollicitation, on_delete=models.PROTECT, related_name="pieces_jointes")
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pieces_jointes",
        help_text="Vide pour une pièce jointe au dépôt.",
    )
    deposee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    fichier = models.FileField(upload_to=_chemin_piece)
    nom_fichier = models.CharField("nom de fichier", max_length=100)
    taille = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    type_contenu = models.CharField("type de contenu", max_length=100, help_text="Reconnu au contenu du fichier.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["sollicitation_id", "created_at", "id"]

    def __str__(self):
        return self.nom_fichier

    @property
    def extension(self) -> str:
        return PurePath(self.nom_fichier).suffix.lower().lstrip(".")


class HistoriqueSollicitation(HistoriqueBase):
    objet = models.ForeignKey(Sollicitation, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'une sollicitation"
        indexes = [models.Index(fields=["objet", "-created_at", "-id"], name="histo_sollicitation_idx")]
