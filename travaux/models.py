from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chorus.champs import lien_facultatif
from chorus.compteurs import CompteurBase, cle, index_a_compacter
from chorus.history import HistoriqueBase
from facturation.enums import Cadre, TypeTva
from facturation.models import PieceJointeBase
from organisation.enums import Application, Niveau
from organisation.queries import condition_perimetre, perimetre
from travaux.statuts import BROUILLONS, Role, StatutPiece

MONTANT = {"max_digits": 15, "decimal_places": 2}
# The dossier's actors, each a structure field of ``DossierFacturation``: every one of them sees the whole dossier
# (seed 001: « un dossier de facturation, qui peut être consulté par l'ensemble des acteurs »).
ACTEURS = ("fournisseur", "validateur", "moe", "moa", "destinataire")


def _condition_acteurs(user, niveau: str, prefixe: str = "") -> Q:
    """The dossiers one of whose actors is a structure where the user holds « Factures de travaux »."""
    return reduce(
        or_,
        (
            condition_perimetre(user, Application.FACTURES_TRAVAUX, niveau, structure=f"{prefixe}{acteur}")
            for acteur in ACTEURS
        ),
    )


class DossierQuerySet(models.QuerySet):
    def visibles_par(self, user, niveau: str = Niveau.CONSULTATION):
        """The one door to dossiers: those where one of the user's structures (with the « Factures de travaux »
        profile) is an actor."""
        return self.filter(_condition_acteurs(user, niveau))


class DossierFacturation(models.Model):
    """The pieces of one payment of a works contract (« dossier de facturation »), and who its actors are. The
    numbering follows the portal's (seed 001: « PIÈCES DU DOSSIER DE FACTURATION N° 20220094 »): the year and a
    sequence."""

    numero = models.CharField("numéro de dossier de facturation", max_length=20, unique=True)
    fournisseur = models.ForeignKey(
        "organisation.Structure",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Le titulaire, ou le sous-traitant / cotraitant qui a ouvert le dossier.",
    )
    validateur = lien_facultatif(
        "organisation.Structure",
        help_text="Le titulaire (sous-traitance) ou le mandataire (cotraitance) qui valide les pièces du fournisseur.",
    )
    moe = lien_facultatif("organisation.Structure", "maîtrise d'œuvre")
    moa = lien_facultatif("organisation.Structure", "maîtrise d'ouvrage")
    destinataire = lien_facultatif("organisation.Structure", "service financier")
    service_destinataire = lien_facultatif("organisation.Service")
    numero_marche = models.CharField("numéro de marché", max_length=50, blank=True)
    delai_paiement_jours = models.PositiveSmallIntegerField("délai de paiement (jours)", default=30)
    # The payment clock (seed 000: « le paiement puisse avoir lieu dans un délai de 30 jours à compter du moment où
    # la demande de paiement est mise à disposition de la MOE dans l'outil »).
    demande_paiement_recue_le = models.DateTimeField("demande de paiement mise à disposition le", null=True, blank=True)
    mise_en_paiement_le = models.DateTimeField("mise en paiement le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier de facturation"
        verbose_name_plural = "dossiers de facturation"
        ordering = ["-id"]
        indexes = [models.Index(fields=[acteur, "-id"], name=f"dossier_{acteur}_idx") for acteur in ACTEURS]

    def __str__(self):
        return f"Dossier de facturation n° {self.numero}"


def _condition_brouillons(user, niveau: str, pas_un_brouillon: Q | None = None) -> Q:
    """A draft (or an abandoned one) is seen only by its depositing structure. ``pas_un_brouillon``: how the rows
    that are no draft are told (a piece's status; a counter's key without a depositor)."""
    if pas_un_brouillon is None:
        pas_un_brouillon = ~Q(statut__in=BROUILLONS)
    return pas_un_brouillon | condition_perimetre(user, Application.FACTURES_TRAVAUX, niveau, structure="deposant")


def _structures_du_role(user, structures, niveau: str) -> list[int]:
    """Those of ``structures`` in the user's perimeter: such a structure acting in a role on a dossier is one of its
    actors, so the actors' condition of ``visibles_par`` is met by the role alone."""
    p = perimetre(user, Application.FACTURES_TRAVAUX, niveau)
    return sorted(set(structures) & (p.structures | p.structures_par_service))


# The Tableau de bord's roles, each the piece's copy of its dossier's actor (kept by the database: migrations 0003
# and 0004).
CHAMPS_ROLE = {Role.FOURNISSEUR: "dossier_fournisseur", Role.MOE: "dossier_moe", Role.MOA: "dossier_moa"}


class PieceQuerySet(models.QuerySet):
    def visibles_par(self, user, niveau: str = Niveau.CONSULTATION):
        """The one door to works pieces (pages, downloads, exports): every piece of a dossier one of whose actors is
        a structure where the user holds « Factures de travaux », but a draft (or an abandoned one) only to its
        depositing structure.

        The actors are read on the piece's own copies of them (``dossier_<acteur>``, kept by the database), not
        through the dossier: no join to plan, and the condition is built once, in one ``filter``, for every list
        that starts here (BENCHMARKS.md, « Factures de travaux »)."""
        return self.filter(_condition_acteurs(user, niveau, "dossier_") & _condition_brouillons(user, niveau))

    def du_role(self, user, role: str, structures, niveau: str = Niveau.CONSULTATION):
        """``visibles_par`` narrowed to the dossiers where one of ``structures`` holds ``role``: such a structure
        of the user's perimeter is an actor of the dossier, so the actors' condition is met and only the drafts'
        rule remains — the pieces are read from the role's index (``piece_tdb_*``), without the dossier."""
        mes = _structures_du_role(user, structures, niveau)
        return self.filter(**{f"{CHAMPS_ROLE[role]}__in": mes}).filter(_condition_brouillons(user, niveau))


def _copie_acteur() -> models.ForeignKey:
    """A piece's copy of one of its dossier's actors, kept by the database (see below)."""
    return models.ForeignKey(
        "organisation.Structure",
        on_delete=models.DO_NOTHING,
        null=True,
        editable=False,
        db_index=False,  # the Tableau de bord index below starts with it
        related_name="+",
    )


class PieceTravaux(models.Model):
    """One piece of a dossier: a cadre deposited by an actor for the next one. A payable piece continues as an
    invoice (``facture``) in the service financier's « Factures reçues »."""

    class TypeDepot(models.TextChoices):
        INITIAL = "INITIAL", "Dépôt initial"
        SUITE = "SUITE", "À partir d'une pièce existante dans Chorus Pro"

    dossier = models.ForeignKey(DossierFacturation, on_delete=models.PROTECT, related_name="pieces")
    piece_precedente = lien_facultatif("self", "pièce précédente", related_name="suivantes")
    type_depot = models.CharField("type de dépôt", max_length=10, choices=TypeDepot.choices)
    cadre = models.CharField("cadre de facturation", max_length=60, choices=Cadre.choices)
    statut = models.CharField(max_length=40, choices=StatutPiece.choices, default=StatutPiece.BROUILLON)
    statut_le = models.DateTimeField("date état courant", default=timezone.now)

    # Who deposited, in which role, and for whom (seed 000: « jouer le rôle d'un autre acteur »).
    deposant = models.ForeignKey("organisation.Structure", on_delete=models.PROTECT, related_name="+")
    service_deposant = lien_facultatif("organisation.Service")
    role_deposant = models.CharField("rôle du déposant", max_length=20, choices=Role.choices)
    pour_le_compte_de = lien_facultatif(
        "organisation.Structure",
        "déposé pour le compte de",
        help_text="L'acteur sans compte dont le déposant a joué le rôle.",
    )
    # To whom it was sent, and by which rule (the MOA option read at routing time).
    recevant = lien_facultatif("organisation.Structure")
    role_recevant = models.CharField("rôle du destinataire de la pièce", max_length=20, choices=Role.choices)
    regle_acheminement = models.CharField("règle d'acheminement", max_length=250, blank=True)

    numero = models.CharField("numéro", max_length=20)
    date_piece = models.DateField("date de la pièce")
    numero_marche = models.CharField("numéro de marché", max_length=50, blank=True)
    numero_engagement = models.CharField("numéro d'engagement", max_length=50, blank=True)
    devise = models.CharField(max_length=3, default="EUR")
    type_tva = models.CharField("type de TVA", max_length=30, choices=TypeTva.choices, default=TypeTva.TVA_SUR_DEBIT)
    montant_ht = models.DecimalField("montant HT", **MONTANT)
    montant_tva = models.DecimalField("montant TVA", **MONTANT)
    montant_ttc = models.DecimalField("montant TTC", **MONTANT)
    montant_a_payer = models.DecimalField("montant à payer", **MONTANT)
    detail_tva = models.JSONField(
        "détail de la TVA", default=list, blank=True, help_text="[{taux, base_ht, montant_tva}]"
    )
    commentaire = models.TextField(blank=True)

    fichier = models.FileField(upload_to="travaux/%Y/%m/")
    nom_fichier = models.CharField(max_length=255)
    fichier_sha256 = models.CharField(max_length=64)
    format_depot = models.CharField("format de dépôt", max_length=20)
    signatures = models.JSONField(default=list, blank=True)

    facture = models.OneToOneField(
        "facturation.Facture", on_delete=models.PROTECT, null=True, blank=True, related_name="piece_travaux"
    )
    instructeur = models.CharField(max_length=50, blank=True)
    telechargee_le = models.DateTimeField("téléchargée le", null=True, blank=True)

    # Kept by database triggers (migrations 0003 and 0004), never written by the code: the dossier's actors and the
    # « état courant » (the piece's status, or its invoice's once payable), so that a role's Tableau de bord counts
    # its pieces with one index-only scan instead of a probe of the dossier and of the invoice per piece, and the
    # perimeter is read on the piece without the dossier join (BENCHMARKS.md).
    dossier_fournisseur = _copie_acteur()
    dossier_validateur = _copie_acteur()
    dossier_moe = _copie_acteur()
    dossier_moa = _copie_acteur()
    dossier_destinataire = _copie_acteur()
    etat_courant = models.CharField("état courant", max_length=40, blank=True, editable=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PieceQuerySet.as_manager()

    class Meta:
        verbose_name = "pièce de facturation de travaux"
        verbose_name_plural = "pièces de facturation de travaux"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["dossier", "id"], name="piece_dossier_idx"),
            models.Index(fields=["recevant", "statut", "-id"], name="piece_recevant_idx"),
            models.Index(fields=["deposant", "statut", "-id"], name="piece_deposant_idx"),
            models.Index(fields=["fichier_sha256"], name="piece_sha256_idx"),
            # One per role of the Tableau de bord; ``deposant`` and ``statut`` included for the drafts' rule.
            *(
                models.Index(
                    fields=[f"dossier_{acteur}", "etat_courant"],
                    include=["deposant", "statut"],
                    name=f"piece_tdb_{acteur}_idx",
                )
                for acteur in ("fournisseur", "moe", "moa")
            ),
            # The two actors the Tableau de bord does not count, for the perimeter's OR (``visibles_par``): most
            # dossiers have no validateur, hence partial.
            *(
                models.Index(
                    fields=[f"dossier_{acteur}"],
                    condition=Q(**{f"dossier_{acteur}__isnull": False}),
                    name=f"piece_{acteur}_idx",
                )
                for acteur in ("validateur", "destinataire")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant_ttc=models.F("montant_ht") + models.F("montant_tva")),
                name="piece_ttc_egal_ht_plus_tva",
                violation_error_message="Le montant TTC doit être égal au montant HT plus la TVA.",
            ),
        ]

    def __str__(self):
        return f"{Cadre(self.cadre).code} n° {self.numero}"

    @property
    def code_cadre(self) -> str:
        return Cadre(self.cadre).code


class CompteurPiecesQuerySet(models.QuerySet):
    def du_role(self, user, role: str, structures, niveau: str = Niveau.CONSULTATION):
        """The counters of ``PieceTravaux.objects.du_role``'s pieces: the same structures of the role, the same
        rule for drafts (a counter's ``deposant`` is set for drafts only)."""
        mes = _structures_du_role(user, structures, niveau)
        return self.filter(role=role, structure__in=mes).filter(
            _condition_brouillons(user, niveau, pas_un_brouillon=Q(deposant__isnull=True))
        )


class CompteurPieces(CompteurBase):
    """How many pieces a structure holds, in one role of the Tableau de bord, in each « état courant »: the sum of
    ``nombre`` over the rows of a key (rôle, structure, état courant, déposant — a draft's only: it is seen by its
    depositing structure alone). Written by the database only: the kit's statement triggers (``chorus.compteurs``,
    migration 0006) on ``travaux_piecetravaux`` append one row per key a statement changed — a piece deposited or
    moved on, its invoice's transition (which rewrites its « état courant »), a dossier's actor changed (which
    rewrites its copies), a COPY of the bench seed; ``travaux.compteurs`` folds them (beat, every minute)."""

    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    structure = cle("organisation.Structure")
    etat_courant = models.CharField("état courant", max_length=40)
    deposant = cle("organisation.Structure", "déposant", null=True)

    objects = CompteurPiecesQuerySet.as_manager()

    class Meta:
        verbose_name = "compteur de pièces de travaux"
        verbose_name_plural = "compteurs de pièces de travaux"
        indexes = [
            # The dashboard's read (one structure's rows in a role), and the fold's match of a key.
            models.Index(
                fields=["structure", "role", "etat_courant"], include=["deposant", "nombre"], name="compteur_piece_idx"
            ),
            index_a_compacter("compteur_piece_a_compacter_idx"),
        ]

    def __str__(self):
        return f"{self.role} {self.structure_id} {self.etat_courant} : {self.nombre}"


class PieceJointeTravaux(PieceJointeBase):
    piece = models.ForeignKey(PieceTravaux, on_delete=models.CASCADE, related_name="pieces_jointes")
    fichier = models.FileField(upload_to="travaux/pieces/%Y/%m/")
    nom_fichier = models.CharField(max_length=255)

    class Meta:
        verbose_name = "pièce jointe d'une pièce de travaux"
        ordering = ["piece_id", "id"]


class HistoriquePiece(HistoriqueBase):
    objet = models.ForeignKey(PieceTravaux, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'une pièce de travaux"
        indexes = [models.Index(fields=["objet", "-created_at", "-id"], name="histo_piece_idx")]
