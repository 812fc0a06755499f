"""The forms of a piece's page (« Traiter la pièce »: one per action that asks for something) and of « Rechercher une
structure » on « Déposer ». As for the deposit, a form only reads what was typed (a SIRET found as a structure, a
file within 10 Mo); the rules of each action — a refusal's comment, a suspension's missing information — are
``travaux.services``', whose French messages the page shows on the action's form. Each form keeps the ids the page
has always had (``refus-motif``, ``correction-siret``…): the browser journeys and the labels point at them."""

from typing import NamedTuple

from django import forms
from django.utils.html import format_html

from chorus.formulaires import FormulaireDsfr, Televersement
from chorus.identifiers import normaliser
from facturation.depot import TAILLE_MAX
from organisation.models import Structure

# The services check these fields, with their own messages: the browser asks for them first (``required``), the
# form lets an empty value through to the service.
OBLIGATOIRE = {"required": True}


class Presentation(NamedTuple):
    """How « Traiter la pièce » shows an action's form (one block of ``_piece_actions.html``): its legend, its
    button, the button's DSFR variant ("": the primary button) and the HTML form's ``data-testid``."""

    legende: str
    bouton: str
    style_bouton: str
    repere: str


def _texte(label: str, aide: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=aide, required=False, widget=forms.Textarea(attrs={"rows": 3, **attrs})
    )


class MotifField(forms.ChoiceField):
    """The select offers the motifs of the piece's cadre; any value reaches ``services.refuser``, whose message
    names the possible motifs."""

    def valid_value(self, value):
        return True


class RefusPieceForm(FormulaireDsfr):
    """« Refuser la pièce »: a motif of the piece's cadre (``services.motifs_refus``) and a comment."""

    presentation = Presentation("Refuser la pièce", "Refuser", "fr-btn--secondary", "form-refuser")

    motif = MotifField(label="Motif du refus", required=False, widget=forms.Select(attrs=OBLIGATOIRE))
    commentaire = _texte("Commentaire", "Précisez l'erreur constatée.", **OBLIGATOIRE)

    def __init__(self, *args, piece, motifs, **kwargs):
        super().__init__(*args, auto_id="refus-%s", **kwargs)
        self.fields["motif"].choices = list(motifs.items())


class SuspensionPieceForm(FormulaireDsfr):
    """« Suspendre la pièce »: the missing information, for the depositor."""

    presentation = Presentation("Suspendre la pièce", "Suspendre", "fr-btn--secondary", "form-suspendre")

    commentaire = _texte("Informations manquantes", **OBLIGATOIRE)

    def __init__(self, *args, piece, motifs, **kwargs):
        super().__init__(*args, auto_id="suspension-%s", **kwargs)


class ComplementPieceForm(FormulaireDsfr):
    """« Compléter la pièce »: information added and/or one attachment (its content is checked by the service)."""

    presentation = Presentation("Compléter la pièce", "Compléter", "", "form-completer")

    commentaire = _texte("Informations ajoutées", "Facultatif si vous joignez une pièce.")
    piece_jointe = forms.FileField(
        label="Pièce jointe",
        help_text="Facultative ; 10 Mo au plus, nom de 50 caractères au plus.",
        required=False,
        widget=Televersement(attrs={"id": "complement-fichier"}),
    )
    designation = forms.CharField(label="Désignation de la pièce jointe", required=False, max_length=50)

    def __init__(self, *args, piece, motifs, **kwargs):
        super().__init__(*args, auto_id="complement-%s", **kwargs)

    def clean_piece_jointe(self):
        fichier = self.cleaned_data["piece_jointe"]
        if fichier and fichier.size > TAILLE_MAX:
            raise forms.ValidationError("Une pièce jointe ne doit pas dépasser 10 Mo.")
        return fichier

    def pieces_jointes(self) -> list[tuple[str, bytes, str]]:
        """The attachment as ``services.completer`` takes it: (name, content, designation)."""
        fichier = self.cleaned_data.get("piece_jointe")
        return [(fichier.name, fichier.read(), self.cleaned_data["designation"])] if fichier else []


class CorrectionAcheminementForm(FormulaireDsfr):
    """« Corriger les données d'acheminement et redéposer »: the SIRET of the right structure, which must exist."""

    presentation = Presentation(
        "Corriger les données d'acheminement et redéposer", "Corriger et redéposer", "", "form-corriger"
    )

    siret = forms.CharField(
        label="SIRET de la bonne structure",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 17, **OBLIGATOIRE}),
    )

    def __init__(self, *args, piece, motifs, **kwargs):
        super().__init__(*args, auto_id="correction-%s", **kwargs)
        # The help text is printed as markup by django-dsfr: the structure's name is escaped here. (The bound field
        # copied the field's help text when django-dsfr's __init__ styled it: both are set.)
        self["siret"].help_text = self.fields["siret"].help_text = format_html(
            "14 chiffres ; elle remplace {} sur le dossier.", piece.recevant.raison_sociale
        )

    def clean_siret(self):
        siret = normaliser(self.cleaned_data["siret"])
        if not (siret.isdigit() and len(siret) == 14):
            raise forms.ValidationError("Indiquez le SIRET de la structure (14 chiffres).")
        self.cleaned_data["structure"] = Structure.objects.filter(identifiant=siret).first()
        if self.cleaned_data["structure"] is None:
            raise forms.ValidationError(f"Aucune structure n'a le SIRET {siret} dans Chorus Pro.")
        return siret


class InstructeurForm(FormulaireDsfr):
    """« Instructeur »: the agent of the receiving structure who handles the piece; empty removes it."""

    presentation = Presentation("Instructeur", "Affecter", "fr-btn--tertiary", "form-instructeur")

    instructeur = forms.CharField(
        label="Instructeur de la pièce",
        help_text="50 caractères au plus ; vide pour retirer l'instructeur.",
        required=False,
        max_length=50,
    )

    def __init__(self, *args, piece, motifs, **kwargs):
        kwargs.setdefault("initial", {"instructeur": piece.instructeur})
        super().__init__(*args, auto_id="%s", **kwargs)


# The action (its name in ``services.actions_possibles``) → the form that reads its input, in the order of the
# page's blocks; the other actions are a button alone.
FORMULAIRES_ACTIONS = {
    "refuser": RefusPieceForm,
    "suspendre": SuspensionPieceForm,
    "completer": ComplementPieceForm,
    "corriger": CorrectionAcheminementForm,
    "affecter_instructeur": InstructeurForm,
}

ACTEURS_RECHERCHE = [
    ("moe", "Maîtrise d'œuvre"),
    ("moa", "Maîtrise d'ouvrage"),
    ("destinataire", "Service financier"),
    ("fournisseur", "Fournisseur"),
    ("validateur", "Titulaire ou mandataire"),
    ("pour_le_compte_de", "Déposer pour le compte de"),
]


class RechercheStructureForm(FormulaireDsfr):
    """« Rechercher une structure » (GET): which actor's field the chosen SIRET fills (the page's script), and the
    criteria; ``q`` (any of them) and ``publique`` are the API's and the script's, never shown."""

    cible = forms.ChoiceField(label="Acteur à renseigner", choices=ACTEURS_RECHERCHE, required=False)
    siret = forms.CharField(
        label="SIRET", required=False, widget=forms.TextInput(attrs={"id": "recherche-siret", "inputmode": "numeric"})
    )
    raison_sociale = forms.CharField(
        label="Raison sociale", required=False, widget=forms.TextInput(attrs={"id": "recherche-raison-sociale"})
    )
    code_postal = forms.CharField(
        label="Code postal",
        required=False,
        widget=forms.TextInput(attrs={"id": "recherche-code-postal", "inputmode": "numeric"}),
    )
    q = forms.CharField(required=False, widget=forms.HiddenInput)
    publique = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="recherche-%s", **kwargs)

    def clean_siret(self):
        return normaliser(self.cleaned_data["siret"])

    def criteres(self) -> dict:
        """The criteria typed (a criterion whose value is not valid — an unknown ``cible`` — counts as empty)."""
        self.is_valid()
        return {
            nom: self.cleaned_data.get(nom) or "" for nom in ("cible", "siret", "raison_sociale", "code_postal", "q")
        } | {"publique": bool(self.cleaned_data.get("publique"))}
