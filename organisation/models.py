from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from chorus.champs import utilisateur_facultatif
from chorus.history import HistoriqueBase
from organisation.enums import (
    PROFILS,
    Application,
    OptionMoa,
    StatutApprobation,
    StatutDoubleAuthentification,
    StatutRattachement,
    StatutStructure,
    TypeApprobation,
    TypeIdentifiant,
    TypeStructure,
)


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        # E-mail addresses are compared case-insensitively on the portal: store them lower-case.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    """A person using the portal; they log in with their e-mail address."""

    email = models.EmailField("adresse électronique", unique=True)
    nom = models.CharField(max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("date de création", default=timezone.now)
    echecs_connexion = models.PositiveSmallIntegerField("échecs de connexion consécutifs", default=0)
    verrouille_jusqu_au = models.DateTimeField("compte bloqué jusqu'au", null=True, blank=True)
    # Kept on the account (its devices are django-otp's) so that the middleware knows without a query whether a
    # session must have passed the second step; changed only by DOUBLE_AUTHENTIFICATION (the transition engine).
    double_authentification = models.CharField(
        "double authentification",
        max_length=20,
        choices=StatutDoubleAuthentification.choices,
        default=StatutDoubleAuthentification.INACTIVE,
    )

    objects = UtilisateurManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nom", "prenom"]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["nom", "prenom", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="utilisateur_email_unique_insensible_casse",
                violation_error_message="Un compte existe déjà avec cette adresse électronique.",
            ),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom} <{self.email}>"

    def get_full_name(self):
        return f"{self.prenom} {self.nom}".strip()

    def get_short_name(self):
        return self.prenom

    def est_verrouille(self, now=None) -> bool:
        return self.verrouille_jusqu_au is not None and self.verrouille_jusqu_au > (now or timezone.now())

    @property
    def double_authentification_active(self) -> bool:
        return self.double_authentification == StatutDoubleAuthentification.ACTIVE


class HistoriqueDoubleAuthentification(HistoriqueBase):
    """Activation, deactivation, support reset and regenerated recovery codes of an account's second factor,
    append-only."""

    objet = models.ForeignKey(Utilisateur, on_delete=models.PROTECT, related_name="historique_double_authentification")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique de la double authentification"


class ModificationDifferee(models.Model):
    """A change that takes effect later (the 30-minute rule), applied by the beat sweep when due."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "EN_ATTENTE", "En attente"
        APPLIQUEE = "APPLIQUEE", "Appliquée"
        ANNULEE = "ANNULEE", "Annulée"
        ECHEC = "ECHEC", "Non appliquée"

    demandeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="modifications_demandees"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    description = models.CharField(max_length=300)
    changements = models.JSONField(help_text="Nouvelles valeurs, par champ.")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    effective_at = models.DateTimeField("prend effet le")
    appliquee_le = models.DateTimeField(null=True, blank=True)
    # Failed attempts of the beat sweep: after ``CHORUS_MODIFICATION_TENTATIVES_MAX`` the change is marked failed
    # instead of being retried forever ahead of the others.
    tentatives = models.PositiveSmallIntegerField(default=0)
    # Why the last attempt failed, in French (or why the change was not applied): shown where changes are listed.
    derniere_erreur = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "modification différée"
        verbose_name_plural = "modifications différées"
        ordering = ["effective_at", "id"]
        indexes = [
            models.Index(
                fields=["effective_at", "id"],
                name="modif_diff_dues_idx",
                condition=models.Q(statut="EN_ATTENTE"),
            ),
            models.Index(fields=["content_type", "object_id", "statut"], name="modif_diff_cible_idx"),
        ]

    def __str__(self):
        return f"{self.description} ({self.get_statut_display()})"

    def changements_lisibles(self) -> list[tuple[str, str]]:
        """(label, new value) pairs for display: field names become their French labels."""
        model = self.content_type.model_class()
        lignes = []
        for name, value in self.changements.items():
            if name == "profils":
                lignes.append(
                    (
                        "Profils",
                        ", ".join(
                            f"{Application(app).label} : {niveau or 'supprimé'}"
                            for app, niveau in value["profils"].items()
                        ),
                    )
                )
                continue
            try:
                field = model._meta.get_field(name.removesuffix("_id"))
            except LookupError:
                lignes.append((name, str(value)))
                continue
            if isinstance(value, bool):
                texte = "Oui" if value else "Non"
            elif field.choices:
                texte = str(dict(field.choices).get(value, value))
            elif field.is_relation and value is not None:
                texte = str(field.related_model._default_manager.filter(pk=value).first() or value)
            else:
                texte = str(value) if value not in ("", None) else "(vide)"
            lignes.append((str(field.verbose_name).capitalize(), texte))
        return lignes


class HistoriqueModificationDifferee(HistoriqueBase):
    objet = models.ForeignKey(ModificationDifferee, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'une modification différée"


# The address fields, the same on a ``Structure`` and on INSEE's ``EtablissementInsee``. A SIRET structure's are
# INSEE's (refreshed by « Mettre à jour depuis la base INSEE »), typed only for the structures INSEE does not know
# (foreign, Nouvelle-Calédonie, Polynésie, particuliers).
CHAMPS_ADRESSE = ("adresse", "complement_adresse", "code_postal", "ville", "code_pays", "libelle_pays")


class Structure(models.Model):
    """A company or a public body on the portal, identified by its SIRET (or another identifier type)."""

    type_identifiant = models.CharField(
        "type d'identifiant", max_length=20, choices=TypeIdentifiant.choices, default=TypeIdentifiant.SIRET
    )
    identifiant = models.CharField(max_length=20, help_text="Le SIRET pour une structure française.")
    raison_sociale = models.CharField("raison sociale", max_length=250)
    type_structure = models.CharField("type", max_length=10, choices=TypeStructure.choices)
    statut = models.CharField(max_length=20, choices=StatutStructure.choices, default=StatutStructure.ACTIVE)
    adresse = models.CharField(max_length=250, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=10, blank=True)
    ville = models.CharField(max_length=100, blank=True)
    code_pays = models.CharField("code pays", max_length=2, default="FR")
    libelle_pays = models.CharField("pays", max_length=100, default="France")
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField(blank=True)
    numero_rcs = models.CharField("numéro RCS", max_length=60, blank=True)
    numero_tva = models.CharField("numéro TVA intracommunautaire", max_length=20, blank=True)
    # INSEE's « statutDiffusionEtablissement » other than O: the address is not published (annuaire, public API).
    non_diffusible = models.BooleanField("non diffusible INSEE", default=False)
    gestionnaire_principal = utilisateur_facultatif("gestionnaire principal", related_name="structures_gerees")
    # Parameters of a public structure (the routing rules its suppliers' invoices must respect).
    code_service_obligatoire = models.BooleanField("code service obligatoire", default=False)
    engagement_obligatoire = models.BooleanField("numéro d'engagement obligatoire", default=False)
    service_ou_engagement_obligatoire = models.BooleanField("engagement ou code service obligatoire", default=False)
    mise_en_paiement_non_remontee = models.BooleanField("statut « Mise en paiement » non remonté", default=False)
    option_moa = models.CharField(
        "maîtrise d'ouvrage", max_length=20, choices=OptionMoa.choices, default=OptionMoa.SANS_MOA
    )
    emetteur_edi = models.BooleanField("émetteur EDI", default=False)
    recepteur_edi = models.BooleanField("récepteur EDI", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # The parameters above that only a public structure has (its « Paramètres » form; a private one's are ignored).
    PARAMETRES_PUBLICS = (
        "code_service_obligatoire",
        "engagement_obligatoire",
        "service_ou_engagement_obligatoire",
        "mise_en_paiement_non_remontee",
        "option_moa",
        "emetteur_edi",
        "recepteur_edi",
    )

    class Meta:
        verbose_name = "structure"
        ordering = ["raison_sociale", "id"]
        permissions = PROFILS
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["type_identifiant", "identifiant"],
                name="structure_identifiant_unique",
                violation_error_message="Une structure existe déjà avec cet identifiant.",
            ),
        ]
        indexes = [
            models.Index(fields=["type_structure", "statut", "raison_sociale"], name="structure_annuaire_idx"),
            models.Index(Lower("raison_sociale"), name="structure_raison_sociale_idx"),
        ]

    def __str__(self):
        return f"{self.raison_sociale} ({self.identifiant})"

    @property
    def est_publique(self) -> bool:
        return self.type_structure == TypeStructure.PUBLIQUE

    @property
    def est_active(self) -> bool:
        return self.statut == StatutStructure.ACTIVE

    @property
    def adresse_insee(self) -> bool:
        """A SIRET structure's address is INSEE's (read-only on the portal); other types type theirs."""
        return self.type_identifiant == TypeIdentifiant.SIRET


class StructureUserObjectPermission(UserObjectPermissionBase):
    """Profiles (habilitations) of users on structures: guardian's table with a direct foreign key, so that
    scoping is a plain indexed join instead of a generic (content type, text id) lookup."""

    content_object = models.ForeignKey(Structure, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "habilitation"


class StructureGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Structure, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "habilitation de groupe"


class HistoriqueStructure(HistoriqueBase):
    objet = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'une structure"


class HistoriqueIdentifiantStructure(HistoriqueBase):
    """« Modifier mon numéro de SIRET »: each identifier a structure has had, append-only (the old SIRET stays
    findable: ``queries.structures_par_identifiant``). ``statut_precedent``/``statut`` hold the old and new
    identifiers, so the chained fingerprint covers them."""

    objet = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="historique_identifiants")
    type_identifiant = models.CharField(
        "type d'identifiant", max_length=20, choices=TypeIdentifiant.choices, default=TypeIdentifiant.SIRET
    )
    approbation = models.ForeignKey("Approbation", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique des identifiants d'une structure"
        indexes = [models.Index(fields=["statut_precedent"], name="hist_identifiant_ancien_idx")]

    @property
    def ancien_identifiant(self) -> str:
        return self.statut_precedent

    @property
    def nouvel_identifiant(self) -> str:
        return self.statut


class Service(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="services")
    code = models.CharField("code service", max_length=100)
    libelle = models.CharField("libellé", max_length=250)
    engagement_obligatoire = models.BooleanField("numéro d'engagement obligatoire", default=False)
    actif = models.BooleanField(default=True)
    adresse = models.CharField(max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=10, blank=True)
    ville = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "service"
        ordering = ["structure_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "code"],
                name="service_code_unique_par_structure",
                violation_error_message="Ce code service existe déjà dans la structure.",
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.libelle}"


class Rattachement(models.Model):
    """A user's attachment to a structure, or to one of its services (the user then sees only that service)."""

    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rattachements")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="rattachements")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True, related_name="rattachements")
    statut = models.CharField(max_length=20, choices=StatutRattachement.choices, default=StatutRattachement.EN_ATTENTE)
    commentaire = models.TextField(blank=True)
    created_at = models.DateTimeField("demandé le", default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "rattachement"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["utilisateur", "structure"],
                condition=models.Q(service__isnull=True, statut__in=["EN_ATTENTE", "INVITE", "ACTIF"]),
                name="rattachement_structure_unique",
                violation_error_message="Vous êtes déjà rattaché (ou en attente) à cette structure.",
            ),
            models.UniqueConstraint(
                fields=["utilisateur", "service"],
                condition=models.Q(service__isnull=False, statut__in=["EN_ATTENTE", "INVITE", "ACTIF"]),
                name="rattachement_service_unique",
                violation_error_message="Vous êtes déjà rattaché (ou en attente) à ce service.",
            ),
        ]
        indexes = [models.Index(fields=["utilisateur", "statut"], name="rattachement_utilisateur_idx")]

    def __str__(self):
        cible = f"{self.structure} / {self.service.code}" if self.service_id else str(self.structure)
        return f"{self.utilisateur} → {cible} ({self.get_statut_display()})"


class HistoriqueRattachement(HistoriqueBase):
    objet = models.ForeignKey(Rattachement, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'un rattachement"


class Approbation(models.Model):
    """A request awaiting the decision of a structure's gestionnaire principal, or of the support desk."""

    type = models.CharField(max_length=40, choices=TypeApprobation.choices)
    statut = models.CharField(max_length=20, choices=StatutApprobation.choices, default=StatutApprobation.DEMANDE)
    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="demandes")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="approbations")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rattachement = models.ForeignKey(
        Rattachement, on_delete=models.PROTECT, null=True, blank=True, related_name="approbations"
    )
    commentaire = models.TextField(blank=True)
    donnees = models.JSONField("détail de la demande", default=dict, blank=True)
    approbateur = utilisateur_facultatif()
    motif_refus = models.TextField("motif du refus", blank=True)
    created_at = models.DateTimeField("date de la demande", default=timezone.now)
    decided_at = models.DateTimeField("date de la décision", null=True, blank=True)

    class Meta:
        verbose_name = "approbation"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["structure", "-created_at"],
                name="approbation_a_traiter_idx",
                condition=models.Q(statut="DEMANDE"),
            ),
            models.Index(fields=["demandeur", "-created_at"], name="approbation_demandeur_idx"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} – {self.demandeur} ({self.get_statut_display()})"


class HistoriqueApprobation(HistoriqueBase):
    objet = models.ForeignKey(Approbation, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'une approbation"


class EtablissementInsee(models.Model):
    """INSEE's SIRENE register as imported by ``manage.py import_sirene``: the reference that pre-fills account
    creation and that « Mettre à jour depuis la base INSEE » copies onto a structure."""

    siret = models.CharField(max_length=14, primary_key=True)
    raison_sociale = models.CharField("raison sociale", max_length=250)
    adresse = models.CharField(max_length=250, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=10, blank=True)
    ville = models.CharField(max_length=100, blank=True)
    code_pays = models.CharField("code pays", max_length=2, default="FR")
    libelle_pays = models.CharField("pays", max_length=100, default="France")
    categorie_juridique = models.CharField("catégorie juridique", max_length=4, blank=True)
    est_public = models.BooleanField("personne publique", default=False)
    actif = models.BooleanField(default=True)
    non_diffusible = models.BooleanField("non diffusible INSEE", default=False)
    importe_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "établissement (base INSEE)"
        verbose_name_plural = "établissements (base INSEE)"

    def __str__(self):
        return f"{self.raison_sociale} ({self.siret})"


class CoordonneesBancaires(models.Model):
    """A bank account of a supplier structure, offered when it issues an invoice. New details become usable
    after the 30-minute delay (a deferred change turns ``active`` on)."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="coordonnees_bancaires")
    titulaire = models.CharField("titulaire du compte", max_length=250)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    active = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        ordering = ["structure_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "iban"],
                name="coordonnees_iban_unique_par_structure",
                violation_error_message="Cet IBAN est déjà enregistré pour la structure.",
            ),
        ]

    def __str__(self):
        return f"{self.titulaire} – {self.iban[:4]}…{self.iban[-4:]}"


class MandatFacturation(models.Model):
    """The billing mandate a supplier structure subscribes to before entering invoices on the portal."""

    VERSION_EN_VIGUEUR = "2026-01"

    structure = models.OneToOneField(Structure, on_delete=models.PROTECT, related_name="mandat_facturation")
    souscrit_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    souscrit_le = models.DateTimeField(default=timezone.now)
    version = models.CharField(max_length=20, default=VERSION_EN_VIGUEUR)
    actif = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "mandat de facturation"
        verbose_name_plural = "mandats de facturation"

    def __str__(self):
        return f"Mandat de facturation de {self.structure}"


class CompteTechnique(models.Model):
    """A structure's technical account. It acts through ``utilisateur``, a dedicated user attached to the structure
    with its profiles (« Factures émises » in modification…), so that every query is scoped by the same domain
    functions as a person's; that user has no usable password and cannot sign in to the portal."""

    login = models.CharField(max_length=150, unique=True)
    mot_de_passe_hache = models.CharField("mot de passe (haché)", max_length=128)
    expiration_mot_de_passe = models.DateTimeField("expiration du mot de passe")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="comptes_techniques")
    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="compte_technique"
    )
    actif = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # « Raccordements »: a renewed password replaces the previous one, which stays accepted until
    # ``ancien_mot_de_passe_valide_jusqu_au`` (the overlap period during which the connectors are updated).
    ancien_mot_de_passe_hache = models.CharField("mot de passe précédent (haché)", max_length=128, blank=True)
    ancien_mot_de_passe_valide_jusqu_au = models.DateTimeField(
        "mot de passe précédent accepté jusqu'au", null=True, blank=True
    )
    # When the structure was warned that the password expires in 15 days (once per password).
    expiration_prevenue_le = models.DateTimeField("expiration prochaine signalée le", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "compte technique"
        verbose_name_plural = "comptes techniques"
        db_table = "api_comptetechnique"  # created by the API app before the model moved here (state kept)

    def __str__(self):
        return self.login


class ClientApiStructure(models.Model):
    """An OAuth client (``chorus.api.models.ClientOAuth``, domain-free) created by a structure on its
    « Raccordements » page: the link says whose client it is, who created it, and lets the structure rotate or revoke
    its secret."""

    client = models.OneToOneField("api.ClientOAuth", on_delete=models.PROTECT, related_name="structure_cliente")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="clients_api")
    cree_par = utilisateur_facultatif()
    secret_renouvele_le = models.DateTimeField("secret renouvelé le", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "client API d'une structure"
        verbose_name_plural = "clients API des structures"

    def __str__(self):
        return f"{self.client_id} ({self.structure_id})"


class HistoriqueCompteTechnique(HistoriqueBase):
    """Creation, renewals and revocation of a technical account (« Raccordements »), append-only."""

    objet = models.ForeignKey(CompteTechnique, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'un compte technique"


class HistoriqueClientApi(HistoriqueBase):
    """Creation, secret rotations and revocation of a structure's API client (« Raccordements »), append-only."""

    objet = models.ForeignKey(ClientApiStructure, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'un client API"
