from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chorus.compteurs import CompteurBase, cle, index_a_compacter
from chorus.history import HistoriqueBase
from chorus.money import formater_montant
from facturation.enums import (
    CADRES_AVEC_VALIDEUR,
    STATUTS_A_TRAITER_DESTINATAIRE,
    STATUTS_RECUS,
    Cadre,
    ModeDepot,
    ModePaiement,
    StatutFacture,
    TypeFacture,
    TypePieceJointe,
    TypeTva,
    libelle_unite,
)
from organisation.enums import Application, Niveau
from organisation.queries import condition_perimetre

MONTANT = {"max_digits": 15, "decimal_places": 2}


class FactureQuerySet(models.QuerySet):
    """The invoices a user may see, one entry point per application, each the perimeter condition of
    ``organisation.queries.condition_perimetre`` on the invoice's own structure (and service) fields: composable
    (``Facture.objects.recues_par(user).filter(...)``) and the one door of every page, export, API endpoint and
    task (``facturation.queries`` wraps them)."""

    def emises_par(self, user, niveau: str = Niveau.CONSULTATION):
        """« Factures émises »: issued by the structures where the user holds the profile (by their services only
        for a user attached at service level)."""
        return self.filter(
            condition_perimetre(
                user, Application.FACTURES_EMISES, niveau, structure="fournisseur", service="service_fournisseur"
            )
        )

    def recues_par(self, user, niveau: str = Niveau.CONSULTATION):
        """« Factures reçues »: addressed to the structures where the user holds the profile (to their services
        only for a user attached at service level), from « Mise à disposition du destinataire » on
        (``STATUTS_RECUS``): never a draft, an invoice still « Déposée », « À valider » or refused by its
        valideur."""
        return self.filter(
            condition_perimetre(
                user, Application.FACTURES_RECUES, niveau, structure="destinataire", service="service_destinataire"
            ),
            statut__in=STATUTS_RECUS,
        )

    def a_valider_par(self, user, niveau: str = Niveau.CONSULTATION):
        """« Factures à valider » (A9 sous-traitant, A12 cotraitant): those whose valideur is a structure where the
        user holds the profile (the valideur is a structure: no service-level restriction), never a draft nor an
        abandoned one."""
        return self.filter(
            condition_perimetre(user, Application.FACTURES_A_VALIDER, niveau, structure="valideur"),
            cadre__in=sorted(CADRES_AVEC_VALIDEUR),
        ).exclude(statut__in=[StatutFacture.BROUILLON, StatutFacture.ABANDONNEE])


class Facture(models.Model):
    """A payable document (« demande de paiement »): an invoice or a credit note, entered on the portal or
    deposited. Amounts are computed by ``facturation.montants`` only, statuses changed by ``services`` only."""

    class TypeDemandePaiement(models.TextChoices):
        FACTURE = "FACTURE", "Facture"
        FACTURE_TRAVAUX = "FACTURE_TRAVAUX", "Facture de travaux"

    type_demande_paiement = models.CharField(
        max_length=20, choices=TypeDemandePaiement.choices, default=TypeDemandePaiement.FACTURE
    )
    numero = models.CharField("numéro de facture", max_length=20, blank=True)
    type_facture = models.CharField("type", max_length=10, choices=TypeFacture.choices, default=TypeFacture.FACTURE)
    cadre = models.CharField("cadre de facturation", max_length=60, choices=Cadre.choices, default=Cadre.A1)
    statut = models.CharField(max_length=40, choices=StatutFacture.choices, default=StatutFacture.BROUILLON)
    mode_depot = models.CharField("mode de dépôt", max_length=20, choices=ModeDepot.choices, default=ModeDepot.SAISIE)

    fournisseur = models.ForeignKey("organisation.Structure", on_delete=models.PROTECT, related_name="factures_emises")
    service_fournisseur = models.ForeignKey(
        "organisation.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destinataire = models.ForeignKey(
        "organisation.Structure", on_delete=models.PROTECT, null=True, blank=True, related_name="factures_recues"
    )
    service_destinataire = models.ForeignKey(
        "organisation.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="factures_recues"
    )
    valideur = models.ForeignKey(
        "organisation.Structure", on_delete=models.PROTECT, null=True, blank=True, related_name="factures_a_valider"
    )
    coordonnees_bancaires = models.ForeignKey(
        "organisation.CoordonneesBancaires", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    date_facture = models.DateField("date de facture", null=True, blank=True)
    date_echeance = models.DateField("date d'échéance", null=True, blank=True)
    date_depot = models.DateTimeField("date de dépôt", null=True, blank=True)
    devise = models.CharField(max_length=3, default="EUR")
    type_tva = models.CharField("type de TVA", max_length=30, choices=TypeTva.choices, default=TypeTva.TVA_SUR_DEBIT)
    motif_exoneration = models.CharField("motif d'exonération", max_length=250, blank=True)
    numero_marche = models.CharField("numéro de marché", max_length=50, blank=True)
    numero_engagement = models.CharField("numéro d'engagement", max_length=50, blank=True)
    numero_facture_origine = models.CharField("numéro de facture d'origine", max_length=20, blank=True)
    mode_paiement = models.CharField(
        "mode de règlement", max_length=20, choices=ModePaiement.choices, default=ModePaiement.VIREMENT
    )
    commentaire = models.TextField(blank=True)

    montant_ht = models.DecimalField("montant HT", default=0, **MONTANT)
    montant_tva = models.DecimalField("montant TVA", default=0, **MONTANT)
    montant_ttc_avant_remise = models.DecimalField("montant TTC avant remise", default=0, **MONTANT)
    remise_globale_ttc = models.DecimalField("remise globale TTC", default=0, **MONTANT)
    motif_remise_globale = models.CharField("motif de la remise globale", max_length=250, blank=True)
    montant_ttc = models.DecimalField("montant TTC après remise", default=0, **MONTANT)
    montant_a_payer = models.DecimalField("net à payer", default=0, **MONTANT)
    # EN 16931 totals (BG-22) besides HT (BT-109), TVA (BT-110), TTC (BT-112) and net à payer (BT-115): a
    # deposited document keeps its own, a saisie gets them from ``facturation.montants``.
    montant_lignes_ht = models.DecimalField("total HT des lignes", default=0, db_default=0, **MONTANT)  # BT-106
    montant_remises_ht = models.DecimalField(
        "remises au niveau du document", default=0, db_default=0, **MONTANT
    )  # BT-107
    montant_charges_ht = models.DecimalField(
        "frais au niveau du document", default=0, db_default=0, **MONTANT
    )  # BT-108
    montant_deja_paye = models.DecimalField("montant déjà payé", default=0, db_default=0, **MONTANT)  # BT-113
    montant_arrondi = models.DecimalField("montant d'arrondi", default=0, db_default=0, **MONTANT)  # BT-114

    # What else the document says (EN 16931), kept to be shown and written again in the regenerated Factur-X.
    profil = models.CharField("profil du document (BT-24)", max_length=200, blank=True, db_default="")
    conditions_paiement = models.TextField("conditions de paiement", blank=True, db_default="")  # BT-20
    date_livraison = models.DateField("date de livraison", null=True, blank=True)  # BT-72
    periode_debut = models.DateField("début de la période de facturation", null=True, blank=True)  # BT-73
    periode_fin = models.DateField("fin de la période de facturation", null=True, blank=True)  # BT-74
    factures_precedentes = models.JSONField(
        "factures précédentes", default=list, db_default=[], blank=True, help_text="BG-3 : [{numero, date}]"
    )
    parties_document = models.JSONField(
        "vendeur et acheteur tels que le document les écrit",
        default=dict,
        db_default={},
        blank=True,
        help_text="{fournisseur, destinataire} : raison sociale, identifiants de tout schéma, TVA, adresse.",
    )

    fichier = models.FileField(upload_to="factures/%Y/%m/", blank=True)
    fichier_sha256 = models.CharField(max_length=64, blank=True)
    empreinte_certificat = models.CharField("empreinte du certificat de dépôt", max_length=44, blank=True)
    rejet_traite = models.BooleanField("rejet traité", default=False)
    analyse_depot = models.JSONField(
        "analyse du fichier déposé",
        default=dict,
        blank=True,
        help_text="Format détecté, signatures, erreurs EN 16931 et champs pré-remplis à vérifier.",
    )
    relance_brouillon_le = models.DateTimeField(null=True, blank=True)
    # When the recipient first downloaded the invoice (portal or ``telecharger/groupe``): the API's
    # ``factureTelechargeeParDestinataire``, with which a recipient's ERP fetches only the new ones.
    telechargee_le = models.DateTimeField("téléchargée par le destinataire le", null=True, blank=True)
    # « Traiter la facture » > « Numéro DP mandat » (seed 004; API ``traiter/recue`` ``numeroDPMandat``): the
    # number of the payment order, given by the recipient when it sets « Mandatée ».
    numero_dp_mandat = models.CharField("numéro DP mandat", max_length=50, blank=True, default="", db_default="")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FactureQuerySet.as_manager()

    class Meta:
        verbose_name = "facture"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fournisseur", "numero"],
                condition=~Q(statut="BROUILLON") & ~Q(numero=""),
                name="facture_numero_unique_par_fournisseur",
                violation_error_message="Ce numéro de facture est déjà utilisé par votre structure.",
            ),
            models.CheckConstraint(
                condition=Q(montant_ttc=models.F("montant_ht") + models.F("montant_tva")),
                name="facture_ttc_egal_ht_plus_tva",
                violation_error_message="Le montant TTC doit être égal au montant HT plus la TVA.",
            ),
        ]
        indexes = [
            models.Index(fields=["fournisseur", "statut", "-created_at", "-id"], name="facture_fournisseur_idx"),
            models.Index(fields=["destinataire", "statut", "-date_depot", "-id"], name="facture_destinataire_idx"),
            models.Index(fields=["fichier_sha256"], name="facture_sha256_idx"),
            models.Index(fields=["empreinte_certificat"], name="facture_empreinte_idx"),
            # « Factures à valider » (migration 0005): partial, only the A9/A12 invoices that have a valideur.
            # By status (the default « À valider » list, « Refusée », the tacit validation's selection)...
            models.Index(
                fields=["statut", "valideur", "-id"], name="facture_a_valider_idx", condition=Q(valideur__isnull=False)
            ),
            # ... and without (« Toutes », « Validée »): both in the list's order, id descending.
            models.Index(fields=["valideur", "-id"], name="facture_valideur_idx", condition=Q(valideur__isnull=False)),
            # ... and filtered by supplier (migration 0019): without it the planner ANDs the valideur's index with
            # the supplier's whole one (876 k entries for the largest at 10 M: 0.5 s; BENCHMARKS « à valider »).
            models.Index(
                fields=["valideur", "fournisseur", "-id"],
                name="facture_valideur_fourn_idx",
                condition=Q(valideur__isnull=False),
            ),
            # « Factures reçues » (migration 0006), by structure (structure-level rattachement) and by service
            # (service-level): Rechercher in its order (id descending), without and with a status...
            models.Index(fields=["destinataire", "-id"], name="facture_recue_idx"),
            models.Index(fields=["destinataire", "statut", "-id"], name="facture_recue_statut_idx"),
            models.Index(fields=["service_destinataire", "-id"], name="facture_recue_service_idx"),
            models.Index(fields=["service_destinataire", "statut", "-id"], name="facture_recue_svc_statut_idx"),
            # ... and the Synthèse « Factures à traiter » (latest status change first), partial: only what awaits
            # the recipient.
            models.Index(
                fields=["destinataire", "-updated_at", "-id"],
                name="facture_a_traiter_idx",
                condition=Q(statut__in=STATUTS_A_TRAITER_DESTINATAIRE),
            ),
            models.Index(
                fields=["service_destinataire", "-updated_at", "-id"],
                name="facture_a_traiter_svc_idx",
                condition=Q(statut__in=STATUTS_A_TRAITER_DESTINATAIRE),
            ),
        ]

    def __str__(self):
        return f"{self.get_type_facture_display()} {self.numero or '(brouillon)'}"


class CompteurFacturesQuerySet(models.QuerySet):
    """The counters a user may read, the same perimeter as ``FactureQuerySet`` (``condition_perimetre`` on the
    counter's structure and service): the Tableaux de bord read these instead of counting invoices."""

    def emises_par(self, user, niveau: str = Niveau.CONSULTATION):
        """The counters of ``Facture.objects.emises_par``'s invoices."""
        return self.filter(
            condition_perimetre(user, Application.FACTURES_EMISES, niveau, structure="structure", service="service"),
            cote=CompteurFactures.Cote.EMISES,
        )

    def recues_par(self, user, niveau: str = Niveau.CONSULTATION):
        """The counters of ``Facture.objects.recues_par``'s invoices (``STATUTS_RECUS`` only)."""
        return self.filter(
            condition_perimetre(user, Application.FACTURES_RECUES, niveau, structure="structure", service="service"),
            cote=CompteurFactures.Cote.RECUES,
            statut__in=STATUTS_RECUS,
        )


class CompteurFactures(CompteurBase):
    """How many invoices a structure (one of its services, or none) issued or received in each status: the sum of
    ``nombre`` over the rows of a key (côté, structure, service, statut). Written by the database only: statement
    triggers on ``facturation_facture`` (migration 0017) append one row per key a statement changed, with the net
    change, whatever wrote the invoices (services, flux, COPY of the bench seed, demo loaders). Appending, never
    updating, means no writer waits on another nor deadlocks on a counter (parallel flux chunks of one supplier);
    ``facturation.compteurs.compacter`` (beat, every minute) folds each key's rows back into one."""

    class Cote(models.TextChoices):
        EMISES = "EMISES", "Factures émises"
        RECUES = "RECUES", "Factures reçues"

    cote = models.CharField("côté", max_length=6, choices=Cote.choices)
    structure = cle("organisation.Structure")
    service = cle("organisation.Service", null=True)
    statut = models.CharField(max_length=40, choices=StatutFacture.choices)

    objects = CompteurFacturesQuerySet.as_manager()

    class Meta:
        verbose_name = "compteur de factures"
        verbose_name_plural = "compteurs de factures"
        indexes = [
            # The dashboards' read: one structure's rows (a handful per status and service).
            models.Index(fields=["structure", "cote", "statut"], include=["service", "nombre"], name="compteur_idx"),
            index_a_compacter("compteur_a_compacter_idx"),
        ]

    def __str__(self):
        return f"{self.cote} {self.structure_id}/{self.service_id or '-'} {self.statut} : {self.nombre}"


class LignePoste(models.Model):
    facture = models.ForeignKey(Facture, on_delete=models.CASCADE, related_name="lignes")
    ordre = models.PositiveSmallIntegerField()
    reference = models.CharField("référence", max_length=50, blank=True)
    denomination = models.CharField("dénomination", max_length=250)
    quantite = models.DecimalField("quantité", max_digits=15, decimal_places=4)
    unite = models.CharField("unité", max_length=20, default="C62")
    prix_unitaire_ht = models.DecimalField("prix unitaire HT", max_digits=15, decimal_places=6)
    remise_ht = models.DecimalField("remise HT", default=0, **MONTANT)
    taux_tva = models.DecimalField("taux de TVA", max_digits=5, decimal_places=2)
    montant_ht = models.DecimalField("montant HT après remise", **MONTANT)
    montant_ttc = models.DecimalField("montant TTC", **MONTANT)
    charges_ht = models.DecimalField("frais HT", default=0, db_default=0, **MONTANT)  # Σ BT-141
    quantite_base = models.DecimalField(
        "quantité de base du prix", max_digits=15, decimal_places=4, default=1, db_default=1
    )
    categorie_tva = models.CharField(
        "catégorie de TVA", max_length=2, blank=True, db_default=""
    )  # BT-151, "" = type de TVA
    ajustements = models.JSONField(
        "remises et frais de la ligne",
        default=list,
        db_default=[],
        blank=True,
        help_text="BG-27 / BG-28 tels que déposés",
    )

    class Meta:
        verbose_name = "ligne de poste"
        ordering = ["facture_id", "ordre"]

    def __str__(self):
        return self.denomination

    @property
    def unite_libelle(self) -> str:
        return libelle_unite(self.unite)


class RecapitulatifTVA(models.Model):
    facture = models.ForeignKey(Facture, on_delete=models.CASCADE, related_name="recapitulatif_tva")
    taux = models.DecimalField(max_digits=5, decimal_places=2)
    base_ht = models.DecimalField("base HT", **MONTANT)
    remise_globale_ht = models.DecimalField("part HT de la remise globale", default=0, **MONTANT)
    montant_tva = models.DecimalField("montant de TVA", **MONTANT)
    categorie = models.CharField(
        "catégorie de TVA", max_length=2, blank=True, db_default=""
    )  # BT-118, "" = type de TVA
    motif_exoneration = models.CharField("motif d'exonération", max_length=250, blank=True, db_default="")  # BT-120
    code_motif_exoneration = models.CharField(
        "code du motif d'exonération", max_length=30, blank=True, db_default=""
    )  # BT-121

    class Meta:
        verbose_name = "récapitulatif de TVA"
        ordering = ["facture_id", "taux"]

    def __str__(self):
        return f"{self.taux} %"


class AjustementDocument(models.Model):
    """A document-level allowance (BG-20) or charge (BG-21), as the document writes it."""

    facture = models.ForeignKey(Facture, on_delete=models.CASCADE, related_name="ajustements")
    ordre = models.PositiveSmallIntegerField()
    charge = models.BooleanField("frais", default=False)  # False: remise
    montant = models.DecimalField(**MONTANT)  # BT-92 / BT-99
    base = models.DecimalField(null=True, blank=True, **MONTANT)  # BT-93 / BT-100
    pourcentage = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)  # BT-94 / BT-101
    motif = models.CharField(max_length=250, blank=True)  # BT-97 / BT-104
    code_motif = models.CharField(max_length=10, blank=True)  # BT-98 / BT-105
    categorie_tva = models.CharField(max_length=2)  # BT-95 / BT-102
    taux_tva = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # BT-96 / BT-103

    class Meta:
        verbose_name = "remise ou frais du document"
        ordering = ["facture_id", "ordre"]

    def __str__(self):
        return f"{'Frais' if self.charge else 'Remise'} {formater_montant(self.montant)}"


class FichierStocke(models.Model):
    """What the portal records of every stored file besides the file itself (each model has its own folder): its
    size, SHA-256 and sniffed content type, and when it came."""

    taille = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    type_contenu = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class PieceJointeBase(FichierStocke):
    """An attachment of a payable piece (an invoice here, a works piece in ``travaux``): its type and designation."""

    type_piece = models.CharField("type", max_length=30, choices=TypePieceJointe.choices)
    designation = models.CharField("désignation", max_length=50)

    class Meta:
        abstract = True

    def __str__(self):
        return self.designation


class PieceJointe(PieceJointeBase):
    facture = models.ForeignKey(Facture, on_delete=models.CASCADE, related_name="pieces_jointes")
    fichier = models.FileField(upload_to="pieces/%Y/%m/")

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["facture_id", "id"]


class PieceJointeTeleversee(FichierStocke):
    """A file sent ahead by the API (``transverses/v1/ajouter/fichier``, ``factures/v1/deposer/pdf``): its
    ``pieceJointeId`` is then named by ``soumettre`` or ``completer``, which attach a copy of it to the invoice
    (``services.joindre_piece_televersee``). It belongs to the user who sent it (« mon compte »)."""

    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey("organisation.Structure", on_delete=models.PROTECT, related_name="+")
    nom = models.CharField("nom du fichier", max_length=50)
    fichier = models.FileField(upload_to="pieces/televersees/%Y/%m/")

    class Meta:
        verbose_name = "pièce jointe téléversée"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.nom


class HistoriqueFacture(HistoriqueBase):
    objet = models.ForeignKey(Facture, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'une facture"
        indexes = [models.Index(fields=["objet", "-created_at", "-id"], name="histo_facture_idx")]


class CertificatRemplace(models.Model):
    """A certificat de dépôt that a recycling replaced: the recipient's SIRET is part of its digest
    (``facturation.certificat``), so « Recycler » towards another structure issues a new one
    (``envoi.renouveler_certificat``). The replaced one is kept here, append-only (a database trigger refuses UPDATE
    and DELETE), so that « Vérifier un certificat de dépôt » still recognises it and names its replacement."""

    facture = models.ForeignKey(Facture, on_delete=models.PROTECT, related_name="certificats_remplaces")
    empreinte = models.CharField("empreinte du certificat remplacé", max_length=44, db_index=True)
    destinataire = models.ForeignKey(
        "organisation.Structure", on_delete=models.PROTECT, related_name="+", verbose_name="destinataire d'alors"
    )
    # The identifier as it entered the digest (a structure's SIRET may change later).
    identifiant_destinataire = models.CharField(max_length=20)
    remplace_par = models.CharField("empreinte du nouveau certificat", max_length=44)
    remplace_le = models.DateTimeField(default=timezone.now)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "certificat de dépôt remplacé"
        ordering = ["-remplace_le", "-id"]

    def __str__(self):
        return f"Certificat {self.empreinte} remplacé par {self.remplace_par}"


class FluxDepot(models.Model):
    """A file deposited by ``factures/v1/deposer/flux``: answered at once with its number, processed by a Celery
    task (``facturation.api.tasks.traiter_flux``) through the portal's deposit analysis, polled by ``consulterCR*``."""

    class Etat(models.TextChoices):
        RECU = "IN_RECU", "Reçu"
        EN_COURS = "IN_EN_COURS_TRAITEMENT_CPP", "En cours de traitement"
        INTEGRE = "IN_INTEGRE", "Intégré"
        INTEGRE_PARTIEL = "IN_INTEGRE_PARTIEL", "Intégré partiellement"
        REJETE = "IN_REJETE", "Rejeté"

    numero = models.CharField("numéro de flux", max_length=30, unique=True)
    # Deposited by the API (``compte``, the technical account) or on the portal's « Suivi des flux » (``depose_par``).
    compte = models.ForeignKey(
        "organisation.CompteTechnique", on_delete=models.PROTECT, related_name="flux", null=True, blank=True
    )
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé sur le portail par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    structure = models.ForeignKey("organisation.Structure", on_delete=models.PROTECT, related_name="flux_depot")
    syntaxe = models.CharField(max_length=40)
    nom_fichier = models.CharField(max_length=255)
    fichier = models.FileField(upload_to="flux/%Y/%m/")
    etat = models.CharField(max_length=40, choices=Etat.choices, default=Etat.RECU)
    erreurs_dp = models.JSONField("erreurs par demande de paiement", default=list, blank=True)
    erreurs_techniques = models.JSONField(default=list, blank=True)
    factures = models.ManyToManyField(Facture, blank=True, related_name="+")
    created_at = models.DateTimeField("déposé le", default=timezone.now)
    etat_le = models.DateTimeField("état courant depuis", default=timezone.now)
    # Processing resumes after a crash (facturation.api.flux): each attempt is counted and bounded, a worker that is
    # processing the flux shows it is alive, and each file integrated is recorded with the link to its invoice.
    tentatives = models.PositiveSmallIntegerField("tentatives de traitement", default=0)
    traitement_vu_le = models.DateTimeField("dernier signe de vie du traitement", null=True, blank=True)
    membres_traites = models.JSONField("fichiers intégrés (SHA-256 → facture)", default=dict, blank=True)
    # A lot runs as chunks in parallel (facturation.api.flux): how many the current attempt has, which of them
    # ended (their positions, so that a chunk delivered twice counts once) and the errors they found (pairs of the
    # file's position in the lot and its error), put in the lot's order when the last chunk ends.
    tranches = models.PositiveIntegerField("tranches de la tentative", default=0)
    tranches_finies = models.JSONField("tranches terminées", default=list, blank=True)
    erreurs_lot = models.JSONField("erreurs des tranches terminées", default=list, blank=True)

    class Meta:
        verbose_name = "flux déposé"
        verbose_name_plural = "flux déposés"
        db_table = "api_fluxdepot"  # created by the API app before the model moved here (state kept)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compte__isnull=False) | models.Q(depose_par__isnull=False),
                name="flux_depose_par_compte_ou_utilisateur",
                violation_error_message="Un flux est déposé par un compte technique ou par un utilisateur du portail.",
            )
        ]
        indexes = [
            # The beat task looks for flux left unfinished: few rows, whatever the table's size.
            models.Index(
                fields=["etat_le"],
                condition=models.Q(etat__in=["IN_RECU", "IN_EN_COURS_TRAITEMENT_CPP"]),
                name="api_flux_a_traiter_idx",
            ),
            # « Suivi des flux »: a structure's flux, newest first (keyset on the id).
            models.Index(fields=["structure", "-id"], name="flux_structure_id_idx"),
        ]

    def __str__(self):
        return self.numero

    @property
    def deposant(self):
        """The user on whose behalf the flux's invoices are deposited: the technical account's, or the portal's."""
        return self.compte.utilisateur if self.compte_id else self.depose_par
