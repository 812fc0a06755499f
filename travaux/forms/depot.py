"""« Déposer » a works piece: the form only reads what the depositor typed (structures found by SIRET, services by
code, the file, amounts as typed); every rule is ``travaux.services``', whose French messages come back onto the
fields they name (``ajouter_erreurs``)."""

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from chorus.identifiers import normaliser
from facturation.depot import TAILLE_MAX
from facturation.enums import Cadre, TypeTva
from organisation.models import Service, Structure
from travaux import services
from travaux.statuts import CADRES

LIGNES_TVA = 3  # « Saisir le détail de la TVA (Facultatif) »: up to three rates
CHAMPS_ACTEURS = ("fournisseur", "validateur", "moe", "moa", "destinataire")
# A key of a service's message that is not a field of this form lands on the field that holds the data.
CHAMPS_EQUIVALENTS = {"service_destinataire": "code_service", "date_facture": "date_piece", "fichier_joint": "fichier"}


class CadreField(forms.ChoiceField):
    """The select offers the cadres the depositor may use here; any works cadre is accepted, so that a cadre the
    chain forbids is refused by ``travaux.services`` with its message naming the allowed cadres."""

    def valid_value(self, value):
        return value in CADRES


class FichiersMultiples(forms.ClearableFileInput):
    allow_multiple_selected = True


class PiecesJointesField(forms.FileField):
    widget = FichiersMultiples

    def clean(self, data, initial=None):
        fichiers = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PiecesJointesField, self).clean(f, initial) for f in fichiers]


def _siret(label: str, aide: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=aide or "SIRET à 14 chiffres, ou « Rechercher une structure » (SIRET, raison sociale, code postal).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "data-recherche-structure": ""}),
    )


def _montant(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


class DepotForm(DsfrBaseForm):
    # CHOIX DU FICHIER À IMPORTER / FORMAT DE DÉPÔT
    fichier = forms.FileField(
        label="Choix du fichier à importer",
        help_text="PDF non signé ou PDF signé PAdES, 10 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    format_depot = forms.ChoiceField(
        label="Format de dépôt",
        choices=list(services.LIBELLES_FORMAT.items()),
        initial=services.FORMAT_PDF_NON_SIGNE,
        widget=forms.RadioSelect,
    )
    # INFORMATIONS COMPLÉMENTAIRES / DÉPOSANT
    cadre = CadreField(label="Cadre de facturation")
    deposant = forms.ModelChoiceField(label="Structure", queryset=Structure.objects.none(), empty_label=None)
    service_deposant = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        empty_label="Aucun service",
        help_text="Laisser vide s'il n'y en a pas.",
    )
    pour_le_compte_de = _siret(
        "Déposer pour le compte de",
        "SIRET de l'acteur sans compte Chorus Pro dont votre structure joue le rôle (le fournisseur d'un dépôt "
        "initial, ou l'acteur du dossier qui dépose ce cadre). Laisser vide si votre structure dépose pour elle-même.",
    )
    # ACTEURS (dépôt initial), DESTINATAIRE DE LA FACTURE (pièce payable)
    fournisseur = _siret(
        "Fournisseur", "SIRET du titulaire, du sous-traitant ou du cotraitant. Laisser vide si c'est votre structure."
    )
    validateur = _siret(
        "Titulaire ou mandataire",
        "Sous-traitance (A10) ou cotraitance (A13, A14) : SIRET de celui qui valide la pièce.",
    )
    moe = _siret("Maîtrise d'œuvre")
    moa = _siret("Maîtrise d'ouvrage")
    destinataire = _siret("Service financier (SIRET)", "Le service financier qui paie la demande de paiement.")
    code_service = forms.CharField(label="Code service", required=False, max_length=100)
    # RÉFÉRENCES
    numero = forms.CharField(label="Numéro de la pièce", required=False, max_length=40)
    date_piece = forms.DateField(
        label="Date de la pièce", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    numero_marche = forms.CharField(label="Numéro de marché", required=False, max_length=50)
    numero_engagement = forms.CharField(label="Numéro d'engagement", required=False, max_length=50)
    devise = forms.ChoiceField(label="Devise", choices=[("EUR", "Euro (EUR)")], initial="EUR")
    type_tva = forms.ChoiceField(label="Type de TVA", choices=TypeTva.choices, initial=TypeTva.TVA_SUR_DEBIT)
    # MONTANTS TOTAUX
    montant_ht = _montant("Montant HT")
    montant_tva = _montant("Montant TVA")
    montant_ttc = _montant("Montant TTC")
    montant_a_payer = _montant("Montant à payer")
    commentaire = forms.CharField(
        label="Commentaire", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    pieces_jointes = PiecesJointesField(
        label="Pièces jointes", required=False, help_text="Un ou plusieurs fichiers, 10 Mo au plus chacun."
    )

    def __init__(self, *args, structures, services_deposants, cadres, initial_depot: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial_depot = initial_depot
        self.erreurs_tva: list[str] = []
        self.fields["deposant"].queryset = structures
        self.fields["service_deposant"].queryset = services_deposants.filter(actif=True).order_by(
            "structure_id", "code"
        )
        self.fields["service_deposant"].label_from_instance = lambda s: f"{s.code} - {s.libelle}"
        self.fields["cadre"].choices = [(c, Cadre(c).label) for c in cadres]
        for i in range(1, LIGNES_TVA + 1):
            self.fields[f"tva_taux_{i}"] = forms.CharField(
                label=f"Taux de TVA (ligne {i}, %)", required=False, max_length=10
            )
            self.fields[f"tva_base_{i}"] = _montant(f"Base HT (ligne {i})")
            self.fields[f"tva_montant_{i}"] = _montant(f"Montant TVA (ligne {i})")
        if not initial_depot:
            for champ in ("fournisseur", "validateur", "moe", "moa"):
                del self.fields[champ]

    @property
    def lignes_tva(self):
        return [
            (i, self[f"tva_taux_{i}"], self[f"tva_base_{i}"], self[f"tva_montant_{i}"])
            for i in range(1, LIGNES_TVA + 1)
        ]

    # --- Parsing ----------------------------------------------------------------------------------------------

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise ValidationError("Le fichier dépasse la taille maximale de 10 Mo.")
        return fichier

    def _structure(self, champ: str) -> Structure | None:
        texte = normaliser(self.cleaned_data.get(champ) or "")
        if not texte:
            return None
        structure = Structure.objects.filter(identifiant=texte).order_by("pk").first()
        if structure is None:
            raise ValidationError(f"Aucune structure n'a le SIRET {texte} sur Chorus Pro.")
        return structure

    def clean(self):
        donnees = super().clean()
        for champ in (*CHAMPS_ACTEURS, "pour_le_compte_de"):
            if champ in self.fields and champ in donnees:
                try:
                    donnees[champ] = self._structure(champ)
                except ValidationError as exc:
                    self.add_error(champ, exc)
        code = (donnees.get("code_service") or "").strip()
        donnees["service_destinataire"] = None
        if code:
            if donnees.get("destinataire") is None:
                self.add_error("code_service", "Indiquez d'abord le SIRET du service financier.")
            else:
                service = Service.objects.filter(structure=donnees["destinataire"], code=code).first()
                if service is None:
                    self.add_error("code_service", f"Le service financier n'a pas de service de code « {code} ».")
                donnees["service_destinataire"] = service
        return donnees

    def detail_tva(self) -> list[dict]:
        d = self.cleaned_data
        lignes = []
        for i in range(1, LIGNES_TVA + 1):
            valeurs = [d.get(f"tva_taux_{i}") or "", d.get(f"tva_base_{i}") or "", d.get(f"tva_montant_{i}") or ""]
            if any(v.strip() for v in valeurs):
                lignes.append(dict(zip(("taux", "base_ht", "montant_tva"), valeurs, strict=True)))
        return lignes

    def saisie(self) -> services.Saisie:
        d = self.cleaned_data
        return services.Saisie(
            numero=d["numero"],
            date_piece=d["date_piece"],
            montant_ht=d["montant_ht"],
            montant_tva=d["montant_tva"],
            montant_ttc=d["montant_ttc"] or None,
            montant_a_payer=d["montant_a_payer"] or None,
            detail_tva=tuple(self.detail_tva()),
            numero_marche=d["numero_marche"],
            numero_engagement=d["numero_engagement"],
            type_tva=d["type_tva"],
            devise=d["devise"],
            commentaire=d["commentaire"],
        )

    def acteurs(self) -> services.Acteurs | None:
        """The actors of an initial deposit (the fournisseur is the depositing structure unless another one is
        named, for whose account it deposits); on a following piece, only the service financier it may name."""
        d = self.cleaned_data
        if not self.initial_depot:
            if d.get("destinataire") is None:
                return None
            return services.Acteurs(destinataire=d["destinataire"], service_destinataire=d["service_destinataire"])
        return services.Acteurs(
            fournisseur=d.get("fournisseur") or d.get("pour_le_compte_de") or d["deposant"],
            validateur=d.get("validateur"),
            moe=d.get("moe"),
            moa=d.get("moa"),
            destinataire=d.get("destinataire"),
            service_destinataire=d["service_destinataire"],
        )

    def fichiers_joints(self) -> list[tuple[str, bytes, str]]:
        return [(f.name, f.read(), f.name[:50]) for f in self.cleaned_data.get("pieces_jointes") or []]

    # --- The services' refusals, on the fields they name -------------------------------------------------------

    def ajouter_erreurs(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for cle, erreurs in exc.message_dict.items():
            champ = CHAMPS_EQUIVALENTS.get(cle, cle)
            if champ == "detail_tva":
                self.erreurs_tva.extend(erreurs)  # shown in the « Détail de la TVA » fieldset
                continue
            self.add_error(champ if champ in self.fields else None, erreurs)
