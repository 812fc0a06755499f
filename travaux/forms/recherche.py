"""The criteria of the « Factures de travaux » lists (GET forms): the Synthèse's filters, the « Rechercher » criteria
(shared by the result page and the exports, and by the links of the « Tableau de bord (stock) »), the dashboard's
role selector."""

from django import forms
from dsfr.forms import DsfrBaseForm

from chorus.formulaires import FIN_AVANT_DEBUT, BornesOrdonnees
from facturation.enums import StatutFacture
from organisation.models import Structure
from travaux import statuts
from travaux.statuts import ROLES_TABLEAU_DE_BORD, Role, StatutPiece

CHOIX_ROLES = [(r.value, r.label) for r in ROLES_TABLEAU_DE_BORD]
# « État courant »: a works piece's status, or its invoice's once payable (``queries.avec_etat_courant``); a label
# shared by several codes (« Refusée par la MOA pour erreur … ») is offered once per code, the code tells them apart.
_STATUTS_FACTURE = [s for s in StatutFacture if s not in (StatutFacture.BROUILLON, StatutFacture.DEPOSEE)]
_PIECE_DE = {"FOURNISSEUR": "pièce du fournisseur", "MOE": "pièce de la MOE", "MOA": "pièce de la MOA"}


def _libelle_etat(statut: StatutPiece) -> str:
    """The status's words; the routing errors sharing their words (« Refusée par la MOA pour erreur … » of a
    fournisseur's or of a MOE's piece) say whose piece it is."""
    if statut in statuts.ERREURS_ACHEMINEMENT:
        return f"{statut.label} ({_PIECE_DE[statut.value.split('_')[1]]})"
    return statut.label


CHOIX_ETATS = [
    ("Pièce de travaux", [(s.value, _libelle_etat(s)) for s in StatutPiece]),
    (
        "Facture (service financier)",
        [(s.value, s.label) for s in _STATUTS_FACTURE if s.value not in StatutPiece.values],
    ),
]
CHOIX_GROUPES = [(code, libelle) for code, (libelle, _statuts) in statuts.GROUPES_TABLEAU_DE_BORD.items()]


class _ChoixLus(forms.models.ModelChoiceIterator):
    """The choices read by one plain query: Django's iterator opens a server-side cursor on PostgreSQL (DECLARE,
    FETCH, CLOSE: three round trips on every page showing the field) for what are a user's few structures."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ChoixStructure(forms.ModelChoiceField):
    iterator = _ChoixLus


def _structure(label: str) -> forms.ModelChoiceField:
    """One of the user's structures: the form's ``structures`` argument sets the queryset (on the field itself,
    which ``DsfrBaseForm`` has already bound)."""
    return _ChoixStructure(
        label=label,
        queryset=Structure.objects.none(),
        required=False,
        empty_label="Toutes",
        error_messages={"invalid_choice": "Choisissez une de vos structures dans la liste."},
    )


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text="Au format jj/mm/aaaa",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "Saisissez une date valide, au format jj/mm/aaaa."},
    )


class SyntheseTravauxForm(DsfrBaseForm):
    """The Synthèse's filters (seed 001: « Filtre Structure », « Masquer les factures rejetées depuis plus de 10
    jours », « Instructeur », « Masquer les factures téléchargées »)."""

    structure = _structure("Filtre Structure")
    masquer_rejetees = forms.BooleanField(label="Masquer les factures rejetées depuis plus de 10 jours", required=False)
    instructeur = forms.CharField(label="Instructeur", max_length=50, required=False)
    masquer_telechargees = forms.BooleanField(label="Masquer les factures téléchargées", required=False)

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if structures is not None:
            self.fields["structure"].queryset = structures
        self.fields["instructeur"].widget.attrs["placeholder"] = "Saisir un code"


class RechercheTravauxForm(BornesOrdonnees, DsfrBaseForm):
    """« Rechercher » des pièces de travaux: the emitter (role, structure), the type of piece (cadre), the numbers,
    the dates, the current status or the dashboard's group of statuses, and the user's own role and structure in
    the dossier (the « Tableau de bord (stock) » links)."""

    BORNES = (("depot_du", "depot_au", FIN_AVANT_DEBUT), ("date_piece_du", "date_piece_au", FIN_AVANT_DEBUT))

    role_emetteur = forms.ChoiceField(label="Rôle de l'émetteur", choices=[("", "Tous"), *CHOIX_ROLES], required=False)
    emetteur = forms.CharField(label="Structure émettrice (SIRET ou raison sociale)", max_length=250, required=False)
    cadre = forms.ChoiceField(label="Type de pièce", choices=[("", "Tous"), *statuts.CHOIX_CADRES], required=False)
    numero = forms.CharField(label="Numéro de pièce", max_length=20, required=False)
    numero_marche = forms.CharField(label="Numéro de marché", max_length=50, required=False)
    numero_dossier = forms.CharField(label="Numéro de dossier de facturation", max_length=20, required=False)
    numero_engagement = forms.CharField(label="Numéro d'engagement", max_length=50, required=False)
    depot_du = _date("Date de dépôt du")
    depot_au = _date("Date de dépôt au")
    date_piece_du = _date("Date de la pièce du")
    date_piece_au = _date("Date de la pièce au")
    etat = forms.ChoiceField(label="État courant", choices=[("", "Tous"), *CHOIX_ETATS], required=False)
    groupe = forms.ChoiceField(label="Groupe de statuts", choices=[("", "Tous"), *CHOIX_GROUPES], required=False)
    mon_role = forms.ChoiceField(
        label="Rôle de ma structure dans le dossier", choices=[("", "Tous"), *CHOIX_ROLES], required=False
    )
    ma_structure = _structure("Ma structure")

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if structures is not None:
            self.fields["ma_structure"].queryset = structures

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ma_structure") and not cleaned.get("mon_role"):
            self.add_error("mon_role", "Choisissez le rôle de votre structure dans le dossier.")
        return cleaned

    def criteres(self) -> dict:
        """The filled-in criteria of a valid form; « Rôle de ma structure » alone means any of the user's
        structures (``structures``)."""
        criteres = {champ: valeur for champ, valeur in self.cleaned_data.items() if valeur not in (None, "")}
        if criteres.get("mon_role") and not criteres.get("ma_structure"):
            criteres["structures"] = list(self.fields["ma_structure"].queryset.values_list("pk", flat=True))
        return criteres


class RoleTableauDeBordForm(DsfrBaseForm):
    role = forms.ChoiceField(
        label="Rôle",
        choices=CHOIX_ROLES,
        initial=Role.FOURNISSEUR,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez un rôle : Fournisseur, Maîtrise d'œuvre ou Maîtrise d'ouvrage."},
    )
