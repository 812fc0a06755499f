from django import forms
from dsfr.forms import DsfrBaseForm

from chorus.formulaires import FormulaireDsfr, Televersement
from chorus.identifiers import normaliser, valider_siret
from chorus.money import MontantInvalide, to_decimal
from facturation import queries
from facturation.enums import (
    CHOIX_CADRES_FACTURE,
    CHOIX_CADRES_RECUS,
    LIBELLES_UNITES,
    MOTIFS_DESTINATAIRE,
    STATUTS_A_TRAITER_DESTINATAIRE,
    STATUTS_RECUS,
    STATUTS_VALIDEES,
    TAUX_TVA,
    ModePaiement,
    MotifRefusValidation,
    StatutFacture,
    TypeFacture,
    TypePieceJointe,
    TypeTva,
)
from facturation.services.circuit import MESSAGE_SERVICE_FOURNISSEUR_OBLIGATOIRE
from facturation.services.controles import erreur_numero
from facturation.services.pieces_jointes import TAILLE_MAX_PIECE
from facturation.statuts import ACTIONS_DESTINATAIRE
from organisation import queries as org_queries
from organisation.enums import TypeIdentifiant
from organisation.models import CoordonneesBancaires, Service, Structure

SIRET_ETAT = "11000201100044"

# Where a service-layer error key is shown on the saisie form.
CHAMPS_FORMULAIRE = {
    "destinataire": "destinataire_siret",
    "service_destinataire": "code_service",
    "valideur": "valideur_siret",
}


class MontantField(forms.CharField):
    """An amount typed the French way (« 1 234,56 »), cleaned to a Decimal."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            return to_decimal(value)
        except MontantInvalide as exc:
            raise forms.ValidationError(str(exc)) from exc


AIDE_SERVICE_FOURNISSEUR = (
    "Obligatoire si vous êtes rattaché à un service de la structure émettrice : vous n'émettez que pour vos services."
)


def preparer_service_fournisseur(form, user) -> None:
    """The « Service du fournisseur » choices of a saisie or deposit form: the services the user issues for."""
    form.structures_par_service = queries.structures_emettrices_par_service(user)
    champ = form.fields["service_fournisseur"]
    champ.queryset = queries.services_emetteurs(user)
    champ.label_from_instance = lambda s: f"{s.structure.raison_sociale} – {s.code} {s.libelle}"


def controler_service_fournisseur(form, cleaned) -> None:
    """The service belongs to the issuing structure, and a user attached to some of its services only names one
    of them (``services.exiger_emission`` refuses it again, for every other caller)."""
    fournisseur, service = cleaned.get("fournisseur"), cleaned.get("service_fournisseur")
    if fournisseur is None:
        return
    if service is not None and service.structure_id != fournisseur.pk:
        form.add_error("service_fournisseur", "Ce service n'appartient pas à la structure émettrice.")
    elif service is None and fournisseur.pk in form.structures_par_service:
        form.add_error("service_fournisseur", MESSAGE_SERVICE_FOURNISSEUR_OBLIGATOIRE)


def _champ_valideur_siret():
    """The valideur of a subcontractor's or co-contractor's invoice, by its SIRET (saisie and deposit alike)."""
    return forms.CharField(
        label="SIRET du valideur (titulaire ou mandataire)",
        max_length=20,
        required=False,
        help_text="Obligatoire pour une facture de sous-traitant (A9) ou de cotraitant (A12).",
    )


class SaisieFactureForm(DsfrBaseForm):
    destinataire_etat = forms.ChoiceField(
        label="Le destinataire est-il l'État ?",
        choices=[("non", "Non"), ("oui", "Oui")],
        widget=forms.RadioSelect,
        initial="non",
    )
    # Only a search of the page (« Rechercher une structure »): never saved, it finds the SIRET to fill in.
    recherche_destinataire = forms.CharField(
        label="Rechercher une structure",
        max_length=100,
        required=False,
        help_text="SIRET, raison sociale ou code postal d'une structure publique.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    destinataire_siret = forms.CharField(label="SIRET du destinataire", max_length=20, required=False)
    code_service = forms.CharField(label="Code service du destinataire", max_length=100, required=False)
    fournisseur = forms.ModelChoiceField(label="Structure émettrice", queryset=None, empty_label=None)
    service_fournisseur = forms.ModelChoiceField(
        label="Service du fournisseur",
        queryset=None,
        required=False,
        help_text=AIDE_SERVICE_FOURNISSEUR,
    )
    coordonnees_bancaires = forms.ModelChoiceField(label="Coordonnées bancaires", queryset=None, required=False)
    cadre = forms.ChoiceField(label="Cadre de facturation", choices=CHOIX_CADRES_FACTURE)
    valideur_siret = _champ_valideur_siret()
    type_facture = forms.ChoiceField(label="Type de facture", choices=TypeFacture.choices)
    numero = forms.CharField(label="Numéro de facture", max_length=20, required=False)
    # An <input type=date> only accepts an ISO value: the localized « 03/12/2026 » would show an empty field.
    date_facture = forms.DateField(
        label="Date de facture", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    devise = forms.ChoiceField(label="Devise", choices=[("EUR", "Euro (EUR)")])
    type_tva = forms.ChoiceField(label="Type de TVA", choices=TypeTva.choices)
    motif_exoneration = forms.CharField(label="Motif d'exonération", max_length=250, required=False)
    numero_marche = forms.CharField(label="Numéro de marché", max_length=50, required=False)
    numero_engagement = forms.CharField(label="Numéro d'engagement", max_length=50, required=False)
    numero_facture_origine = forms.CharField(label="Numéro de facture d'origine", max_length=20, required=False)
    mode_paiement = forms.ChoiceField(label="Mode de règlement", choices=ModePaiement.choices)
    remise_globale_ttc = MontantField(label="Remise globale TTC", required=False)
    motif_remise_globale = forms.CharField(label="Motif de la remise globale", max_length=250, required=False)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    # Fields of a deposited document (``DonneesFacture.champs_a_verifier``) → fields of this form.
    CHAMPS_DOCUMENT = {
        "numero": "numero",
        "date_emission": "date_facture",
        "destinataire.siret": "destinataire_siret",
        "destinataire.code_service": "code_service",
        "numero_engagement": "numero_engagement",
        "type_document": "type_facture",
        "date_echeance": None,
        "fournisseur.siret": "fournisseur",
    }

    def __init__(self, *args, structures, user, a_verifier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fournisseur"].queryset = structures
        preparer_service_fournisseur(self, user)
        for champ in a_verifier:
            nom = self.CHAMPS_DOCUMENT.get(champ)
            if nom in self.fields:
                field = self.fields[nom]
                field.help_text = "À vérifier : valeur lue dans le document déposé."
                field.widget.attrs["data-a-verifier"] = "oui"
                self[nom].help_text = field.help_text  # the DSFR base form already built the bound field

        self.fields["coordonnees_bancaires"].queryset = CoordonneesBancaires.objects.filter(
            structure__in=structures, active=True
        ).select_related("structure")
        self.fields["coordonnees_bancaires"].label_from_instance = lambda c: (
            f"{c.structure.raison_sociale} – {c.titulaire} – {c.iban}"
        )

    def clean_numero(self):
        numero = self.cleaned_data.get("numero") or ""
        if numero and (erreur := erreur_numero(numero)):
            raise forms.ValidationError(erreur)
        return numero

    def clean_destinataire_siret(self):
        siret = normaliser(self.cleaned_data.get("destinataire_siret"))
        if self.data.get(self.add_prefix("destinataire_etat")) == "oui":
            return SIRET_ETAT
        return valider_siret(siret) if siret else ""

    def clean_valideur_siret(self):
        siret = normaliser(self.cleaned_data.get("valideur_siret"))
        return valider_siret(siret) if siret else ""

    def clean(self):
        cleaned = super().clean()
        siret = cleaned.get("destinataire_siret")
        destinataire = None
        if siret:
            destinataire = Structure.objects.filter(type_identifiant=TypeIdentifiant.SIRET, identifiant=siret).first()
            if destinataire is None:
                self.add_error("destinataire_siret", "Aucune structure publique n'existe avec ce SIRET sur Chorus Pro.")
        cleaned["destinataire"] = destinataire
        service = None
        code = (cleaned.get("code_service") or "").strip().upper()
        if code and destinataire is not None:
            service = Service.objects.filter(structure=destinataire, code=code).first()
            if service is None:
                self.add_error("code_service", "Ce code service n'existe pas chez le destinataire.")
        cleaned["service_destinataire"] = service
        valideur = None
        if cleaned.get("valideur_siret"):
            valideur = Structure.objects.filter(identifiant=cleaned["valideur_siret"]).first()
            if valideur is None:
                self.add_error("valideur_siret", "Aucune structure n'existe avec ce SIRET sur Chorus Pro.")
        cleaned["valideur"] = valideur
        controler_service_fournisseur(self, cleaned)
        coord = cleaned.get("coordonnees_bancaires")
        fournisseur = cleaned.get("fournisseur")
        if coord is not None and fournisseur is not None and coord.structure_id != fournisseur.pk:
            self.add_error(
                "coordonnees_bancaires", "Ces coordonnées bancaires ne sont pas celles de la structure émettrice."
            )
        return cleaned

    # What the invoice takes from the form as cleaned; ``donnees`` adds the fields it tidies.
    CHAMPS_DONNEES = (
        "fournisseur",
        "service_fournisseur",
        "destinataire",
        "service_destinataire",
        "valideur",
        "coordonnees_bancaires",
        "cadre",
        "type_facture",
        "date_facture",
        "devise",
        "type_tva",
        "motif_exoneration",
        "numero_marche",
        "numero_facture_origine",
        "mode_paiement",
        "motif_remise_globale",
        "commentaire",
    )

    def donnees(self) -> dict:
        c = self.cleaned_data
        return {
            **{champ: c[champ] for champ in self.CHAMPS_DONNEES},
            "numero": c["numero"].strip(),
            "numero_engagement": c["numero_engagement"].strip(),
            "remise_globale_ttc": c["remise_globale_ttc"] or 0,
        }


class ComplementDepotForm(DsfrBaseForm):
    """A draft made of a structured document (XML, Factur-X): its data and amounts are the document's and stay as
    they are; only what Chorus Pro needs besides them is chosen here."""

    cadre = forms.ChoiceField(label="Cadre de facturation", choices=CHOIX_CADRES_FACTURE)
    valideur_siret = _champ_valideur_siret()
    coordonnees_bancaires = forms.ModelChoiceField(label="Coordonnées bancaires", queryset=None, required=False)

    def __init__(self, *args, fournisseur, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["coordonnees_bancaires"].queryset = CoordonneesBancaires.objects.filter(
            structure=fournisseur, active=True
        )
        self.fields["coordonnees_bancaires"].label_from_instance = lambda c: f"{c.titulaire} – {c.iban}"

    def clean_valideur_siret(self):
        siret = normaliser(self.cleaned_data.get("valideur_siret"))
        if not siret:
            self.cleaned_data["valideur"] = None
            return ""
        siret = valider_siret(siret)
        valideur = Structure.objects.filter(identifiant=siret).first()
        if valideur is None:
            raise forms.ValidationError("Aucune structure n'existe avec ce SIRET sur Chorus Pro.")
        self.cleaned_data["valideur"] = valideur
        return siret


class LigneForm(DsfrBaseForm):
    reference = forms.CharField(label="Référence", max_length=50, required=False)
    denomination = forms.CharField(label="Dénomination", max_length=250)
    quantite = MontantField(label="Quantité")
    unite = forms.ChoiceField(label="Unité", choices=list(LIBELLES_UNITES.items()), initial="C62")
    prix_unitaire_ht = MontantField(label="Prix unitaire HT")
    remise_ht = MontantField(label="Remise HT", required=False)
    taux_tva = forms.ChoiceField(label="Taux de TVA", choices=[(t, f"{t.replace('.', ',')} %") for t in TAUX_TVA])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = (self.initial or {}).get("unite")
        if code and code not in LIBELLES_UNITES:  # a unit read from a deposited document stays as it is
            self.fields["unite"].choices = [*self.fields["unite"].choices, (code, code)]

    def ligne(self) -> dict:
        c = self.cleaned_data
        champs = ("reference", "denomination", "quantite", "unite", "prix_unitaire_ht", "taux_tva")
        return {**{champ: c[champ] for champ in champs}, "remise_ht": c["remise_ht"] or 0}


class _BaseLignes(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "La facture doit comporter au moins une ligne.",
        "too_many_forms": "Une facture saisie comporte au plus %(num)d lignes.",
        "missing_management_form": "Le formulaire des lignes est incomplet : rechargez la page.",
    }


LigneFormSet = forms.formset_factory(
    LigneForm, formset=_BaseLignes, extra=0, min_num=1, validate_min=True, max_num=500, validate_max=True
)


class _CriteresRecherche:
    """What the search forms share: the bounds' order checked in French, the filled-in criteria."""

    BORNES = (("date_du", "date_au"), ("montant_min", "montant_max"))
    MESSAGES_BORNES = (
        "La date de fin doit être postérieure ou égale à la date de début.",
        "Le montant maximum doit être supérieur ou égal au montant minimum.",
    )

    def clean(self):
        cleaned = super().clean()
        for (debut, fin), message in zip(self.BORNES, self.MESSAGES_BORNES, strict=True):
            bas, haut = cleaned.get(debut), cleaned.get(fin)
            if bas is not None and haut is not None and bas > haut:
                self.add_error(fin, message)
        return cleaned

    def criteres(self) -> dict:
        """The filled-in criteria of a valid form (an amount of 0 is a criterion)."""
        return {champ: valeur for champ, valeur in self.cleaned_data.items() if valeur not in (None, "")}


def _champ_date(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


def _champ_montant(label):
    return MontantField(
        label=label,
        required=False,
        help_text="Par exemple : 1 234,56",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _champ_commentaire(label, aide):
    """The optional text a recipient or a valideur sends the supplier with its decision."""
    return forms.CharField(
        label=label, help_text=aide, max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RechercheFacturesForm(_CriteresRecherche, DsfrBaseForm):
    """The « Rechercher » criteria of the issued invoices (GET), shared by the result page and the exports."""

    numero = forms.CharField(label="Numéro", max_length=20, required=False)
    destinataire = forms.CharField(label="Destinataire (SIRET ou raison sociale)", max_length=250, required=False)
    statut = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *StatutFacture.choices], required=False)
    date_du = _champ_date("Date de facture du")
    date_au = _champ_date("Date de facture au")
    montant_min = _champ_montant("Montant TTC min")
    montant_max = _champ_montant("Montant TTC max")
    cadre = forms.ChoiceField(
        label="Cadre de facturation", choices=[("", "Tous"), *CHOIX_CADRES_FACTURE], required=False
    )
    type_facture = forms.ChoiceField(label="Type", choices=[("", "Tous"), *TypeFacture.choices], required=False)


class RechercheFacturesRecuesForm(_CriteresRecherche, DsfrBaseForm):
    """The « Rechercher » criteria of « Factures reçues » (GET), shared by the result page and the exports. The
    status is one of those a recipient sees, or « À traiter » (the Synthèse's statuses)."""

    A_TRAITER = "A_TRAITER"
    BORNES = (("depot_du", "depot_au"), ("montant_min", "montant_max"))

    numero = forms.CharField(label="Numéro de facture", max_length=20, required=False)
    fournisseur = forms.CharField(label="Fournisseur (SIRET ou raison sociale)", max_length=250, required=False)
    service_destinataire = forms.CharField(label="Code service destinataire", max_length=100, required=False)
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), (A_TRAITER, "À traiter"), *((s.value, s.label) for s in STATUTS_RECUS)],
    )
    depot_du = _champ_date("Date de dépôt du")
    depot_au = _champ_date("Date de dépôt au")
    montant_min = _champ_montant("Montant TTC min")
    montant_max = _champ_montant("Montant TTC max")
    numero_engagement = forms.CharField(label="Numéro d'engagement", max_length=50, required=False)
    cadre = forms.ChoiceField(label="Cadre de facturation", choices=[("", "Tous"), *CHOIX_CADRES_RECUS], required=False)

    def criteres(self) -> dict:
        criteres = super().criteres()
        if criteres.get("statut") == self.A_TRAITER:
            del criteres["statut"]
            criteres["statuts"] = list(STATUTS_A_TRAITER_DESTINATAIRE)
        return criteres


class FiltreFacturesAValiderForm(DsfrBaseForm):
    """The filters of the « Factures à valider » list (GET); the status is a group (``STATUTS_FILTRE``)."""

    STATUTS_FILTRE = {
        "A_VALIDER": [StatutFacture.A_VALIDER_1],
        "VALIDEE": STATUTS_VALIDEES,
        "REFUSEE": [StatutFacture.REFUSEE_1, StatutFacture.ERREUR_FOURNISSEUR_SUR_VALIDEUR],
        "TOUTES": None,
    }

    statut = forms.ChoiceField(
        label="Statut",
        choices=[("A_VALIDER", "À valider"), ("VALIDEE", "Validée"), ("REFUSEE", "Refusée"), ("TOUTES", "Toutes")],
        required=False,
    )
    numero = forms.CharField(label="Numéro de facture", max_length=20, required=False)
    fournisseur = forms.CharField(label="Fournisseur (SIRET ou raison sociale)", max_length=250, required=False)

    def statuts(self) -> list[str] | None:
        """The statuses of the chosen group (« À valider » by default); None for every status."""
        return self.STATUTS_FILTRE[self.cleaned_data.get("statut") or "A_VALIDER"]

    def criteres(self) -> dict:
        """The criteria of ``queries.filtrer``: the chosen group's statuses, the number, the supplier."""
        c = self.cleaned_data
        return {"statuts": self.statuts(), "numero": c["numero"], "fournisseur": c["fournisseur"]}


class TraitementFactureRecueForm(DsfrBaseForm):
    """« Traiter la facture » (Factures reçues), one action: the motif of its coded list when the action needs one
    (Suspendre, Mettre à recycler, Rejeter), « Compléments d'information » for the supplier, and the status the
    agent saw (``statut_vu``: an invoice changed since is not processed blindly)."""

    motif = forms.ChoiceField(
        label="Motif",
        error_messages={
            "required": "Choisissez le motif dans la liste : il est obligatoire pour cette action.",
            "invalid_choice": "Choisissez le motif dans la liste.",
        },
    )
    commentaire = _champ_commentaire(
        "Compléments d'information", "Facultatif : ils sont transmis au fournisseur avec le nouveau statut."
    )
    numero_dp_mandat = forms.CharField(
        label="Numéro DP mandat",
        help_text="Facultatif : le numéro du mandat de paiement.",
        max_length=50,
        required=False,
        error_messages={"max_length": "Le numéro DP mandat compte 50 caractères au plus."},
    )
    statut_vu = forms.CharField(widget=forms.HiddenInput, required=False)

    LIBELLES_MOTIF = {
        StatutFacture.SUSPENDUE: "Motif de suspension",
        StatutFacture.A_RECYCLER: "Motif de mise à recycler",
        StatutFacture.REJETEE: "Motif de rejet",
    }

    def __init__(self, *args, statut: str, **kwargs):
        super().__init__(*args, **kwargs)
        if statut != StatutFacture.MANDATEE:  # the number of the payment order comes with « Mandater » only
            del self.fields["numero_dp_mandat"]
        motifs = MOTIFS_DESTINATAIRE.get(statut)
        if motifs is None:
            del self.fields["motif"]
        else:
            self.fields["motif"].choices = [("", "Sélectionnez un motif"), *motifs.choices]
            self.fields["motif"].label = self.LIBELLES_MOTIF[statut]
            self["motif"].label = self.fields["motif"].label  # the DSFR base form already built the bound field


class FiltreFacturesATraiterForm(DsfrBaseForm):
    """The filters of « Factures à traiter » in the Synthèse of Factures reçues (GET)."""

    statut = forms.ChoiceField(
        label="État courant",
        required=False,
        choices=[("", "Tous"), *((s.value, s.label) for s in STATUTS_A_TRAITER_DESTINATAIRE)],
    )
    fournisseur = forms.CharField(label="Fournisseur (SIRET ou raison sociale)", max_length=250, required=False)
    numero = forms.CharField(label="Numéro de facture", max_length=20, required=False)
    structure = forms.TypedChoiceField(
        label="Filtre Structure",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choisissez une de vos structures dans la liste."},
    )
    masquer_telechargees = forms.BooleanField(label="Masquer les factures téléchargées", required=False)

    def __init__(self, *args, structures=(), **kwargs):
        """``structures``: (id, label) of the user's structures; « Filtre Structure » is offered from two on."""
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = [("", "Toutes mes structures"), *structures]
        self.filtre_structure = len(structures) > 1
        if not self.filtre_structure:
            del self.fields["structure"]

    def criteres(self) -> dict:
        if not self.is_valid():
            return {}
        criteres = {}
        for champ, valeur in self.cleaned_data.items():
            if isinstance(valeur, str):
                valeur = valeur.strip()
            if valeur not in ("", None, False):
                criteres[champ] = valeur
        if "structure" in criteres:
            criteres["structure_destinataire"] = criteres.pop("structure")
        return criteres


class TraitementEnMasseForm(DsfrBaseForm):
    """« Traiter la sélection » in Factures à traiter: one action without motif for the selected invoices."""

    statut = forms.ChoiceField(
        label="Action sur la sélection",
        choices=[
            ("", "Sélectionnez une action"),
            *((s, libelle) for s, libelle in ACTIONS_DESTINATAIRE.items() if s not in MOTIFS_DESTINATAIRE),
        ],
        error_messages={"required": "Choisissez l'action à effectuer sur la sélection."},
    )


class RefusValidationForm(DsfrBaseForm):
    """« Refuser » a facture à valider: a motif from the coded list, an optional comment for the supplier."""

    motif = forms.ChoiceField(
        label="Motif du refus",
        choices=[("", "Sélectionnez un motif"), *MotifRefusValidation.choices],
        error_messages={
            "required": "Choisissez le motif du refus.",
            "invalid_choice": "Choisissez le motif du refus dans la liste.",
        },
    )
    commentaire = _champ_commentaire("Commentaire", "Facultatif : il est transmis au fournisseur avec le motif.")


# The syntaxes of ``deposer/flux``, as the portal names them.
SYNTAXES_FLUX = [
    ("IN_DP_E1_UBL_INVOICE", "UBL 2.1 (Invoice, CreditNote) — IN_DP_E1_UBL_INVOICE"),
    ("IN_DP_E1_CII_16B", "CII D16B — IN_DP_E1_CII_16B"),
    ("IN_DP_E2_CII_FACTURX", "Factur-X — IN_DP_E2_CII_FACTURX"),
]


class DeposerFluxForm(DsfrBaseForm):
    """« Suivi des flux » > « Déposer un flux »: one file or a ``.tar.gz`` of files of one syntax, processed as the
    API's ``deposer/flux``."""

    structure = forms.ModelChoiceField(
        label="Structure",
        queryset=Structure.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choisissez une de vos structures dans la liste."},
    )
    syntaxe = forms.ChoiceField(
        label="Syntaxe du flux",
        choices=SYNTAXES_FLUX,
        error_messages={"invalid_choice": "Choisissez une syntaxe de flux dans la liste."},
    )
    fichier = forms.FileField(
        label="Fichier du flux",
        help_text="Une facture (XML ou PDF Factur-X) ou un lot .tar.gz de factures de la même syntaxe, 50 Mo au plus.",
        error_messages={"required": "Choisissez le fichier du flux.", "empty": "Le fichier du flux est vide."},
    )

    def __init__(self, *args, structures, taille_max: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.taille_max = taille_max

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > self.taille_max:
            raise forms.ValidationError("Le flux dépasse la taille maximale de 50 Mo.")
        return fichier


# --- « Liste fiscale », « Archives », « Informations du fournisseur » (seed 004) --------------------------------------


class ListeFiscaleForm(DsfrBaseForm):
    """« Liste fiscale »: the period (dates of deposit, both required) whose invoices the accountant receives. A
    year at most, so that one list stays a period's (and its export a bounded file)."""

    DUREE_MAX_JOURS = 366

    du = forms.DateField(
        label="Période du",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": "Indiquez le premier jour de la période.", "invalid": "Saisissez une date valide."},
    )
    au = forms.DateField(
        label="Période au",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": "Indiquez le dernier jour de la période.", "invalid": "Saisissez une date valide."},
    )

    def clean(self):
        cleaned = super().clean()
        du, au = cleaned.get("du"), cleaned.get("au")
        if du and au:
            if du > au:
                self.add_error("au", "La date de fin doit être postérieure ou égale à la date de début.")
            elif (au - du).days >= self.DUREE_MAX_JOURS:
                self.add_error("au", "La période couvre une année au plus : réduisez-la.")
        return cleaned

    def criteres(self) -> dict:
        """The criteria of ``queries.filtrer`` (dates of deposit, days in Paris time)."""
        return {"depot_du": self.cleaned_data["du"], "depot_au": self.cleaned_data["au"]}


class InformationsFournisseurForm(DsfrBaseForm):
    """« Informations du fournisseur »: a SIRET to look up in the portal's copy of the INSEE base."""

    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        help_text="14 chiffres, espaces acceptés.",
        error_messages={"required": "Saisissez le SIRET de l'entreprise."},
    )

    def clean_siret(self):
        try:
            return valider_siret(self.cleaned_data["siret"])
        except forms.ValidationError as exc:  # the SIRET check's own French message
            raise forms.ValidationError(exc.messages[0]) from None


class FiltreSyntheseEmisesForm(DsfrBaseForm):
    """The Synthèse of « Factures émises » (GET): « Filtre Structure », for a user of several supplier structures."""

    structure = forms.TypedChoiceField(
        label="Filtre Structure",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choisissez une de vos structures dans la liste."},
    )

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = [("", "Toutes mes structures"), *structures]
        self.filtre_structure = len(structures) > 1

    def criteres(self) -> dict:
        if not self.filtre_structure or not self.is_valid() or not self.cleaned_data["structure"]:
            return {}
        return {"structure_fournisseur": self.cleaned_data["structure"]}


class CorrectionValideurForm(FormulaireDsfr):
    """« Corriger le valideur »: the SIRET of the right titulaire or mandataire. The form checks the SIRET itself;
    the structure (active, not the supplier, not the valideur that declined) is the service's rule."""

    siret = forms.CharField(
        label="SIRET du valideur",
        help_text="14 chiffres",
        required=False,  # valider_siret says « Indiquez le SIRET » in the portal's words, not Django's
        widget=forms.TextInput(attrs={"id": "siret-valideur", "inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_siret(self):
        return valider_siret(self.cleaned_data["siret"])


class RecyclageForm(FormulaireDsfr):
    """« Recycler la facture »: the routing data again (recipient, service, engagement); the form finds the public
    structure and its service, ``services.recycler`` checks the routing rules."""

    # Where ``services.recycler``'s error keys are shown on this form.
    CHAMPS = {"destinataire": "destinataire_siret", "service_destinataire": "code_service"}

    destinataire_siret = forms.CharField(
        label="SIRET du destinataire", required=False, widget=forms.TextInput(attrs={"id": "r-siret"})
    )
    code_service = forms.CharField(
        label="Code service", required=False, max_length=100, widget=forms.TextInput(attrs={"id": "r-service"})
    )
    numero_engagement = forms.CharField(
        label="Numéro d'engagement", required=False, max_length=50, widget=forms.TextInput(attrs={"id": "r-ej"})
    )

    def clean_destinataire_siret(self):
        siret = normaliser(self.cleaned_data["destinataire_siret"])
        self.cleaned_data["destinataire"] = destinataire = (
            org_queries.annuaire().filter(identifiant=siret).first() if siret else None
        )
        if destinataire is None:
            raise forms.ValidationError("Aucune structure publique n'existe avec ce SIRET sur Chorus Pro.")
        return siret

    def clean_code_service(self):
        code = self.cleaned_data["code_service"].strip().upper()
        destinataire = self.cleaned_data.get("destinataire")
        service = destinataire.services.filter(code=code).first() if destinataire and code else None
        if destinataire and code and service is None:
            raise forms.ValidationError("Ce code service n'existe pas chez le destinataire.")
        self.cleaned_data["service_destinataire"] = service
        return code

    def acheminement(self) -> dict:
        """The routing data as ``services.recycler`` takes them."""
        return {nom: self.cleaned_data[nom] for nom in ("destinataire", "service_destinataire", "numero_engagement")}


class ComplementFactureForm(FormulaireDsfr):
    """« Compléter la facture » (suspended): a comment, optional when attachments were added since the suspension
    (``services.completer`` knows which)."""

    commentaire = forms.CharField(
        label="Commentaire pour compléter la facture",
        help_text="Facultatif si vous avez joint une pièce (voir « Pièces jointes » ci-dessous).",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"id": "complement", "rows": 3}),
    )


class PieceJointeForm(FormulaireDsfr):
    """An attachment on a draft or a suspended invoice: its type, its designation and the file (10 Mo at most; the
    content, its extension and the 120 Mo in all are ``services.ajouter_piece_jointe``'s rules)."""

    type_piece = forms.ChoiceField(
        label="Type de pièce",
        choices=TypePieceJointe.choices,
        required=False,
        error_messages={"invalid_choice": "Le type de pièce jointe est inconnu : choisissez-le dans la liste."},
        widget=forms.Select(attrs={"id": "pj-type"}),
    )
    designation = forms.CharField(
        label="Désignation", required=False, max_length=50, widget=forms.TextInput(attrs={"id": "pj-designation"})
    )
    fichier = forms.FileField(
        label="Fichier",
        help_text="10 Mo au plus, nom de 50 caractères au plus ; 120 Mo au total avec la facture.",
        error_messages={"required": "Choisissez le fichier à joindre.", "empty": "Le fichier choisi est vide."},
        widget=Televersement(attrs={"id": "pj-fichier"}),
    )

    def clean_type_piece(self):
        return self.cleaned_data["type_piece"] or TypePieceJointe.AUTRE

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX_PIECE:
            raise forms.ValidationError("Une pièce jointe ne doit pas dépasser 10 Mo.")
        return fichier
