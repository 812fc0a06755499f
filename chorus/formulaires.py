"""The form renderer of the portal (django-dsfr's, with one override of Django's widget templates), the DSFR upload
widget and its drop zone, the base of a form whose fields keep ids of their own, the order of a search form's
bounds, the checkboxes of a table's rows, and the kit's own forms: « Approbations » en masse, the filter, the
selection and the preferences of « Mes messages »."""

from pathlib import Path

import dsfr.forms
from django import forms
from django.utils.functional import cached_property
from django.utils.html import format_html
from dsfr.forms import DsfrBaseForm, DsfrBoundField


class RenduFormulaires(dsfr.forms.DsfrDjangoTemplates):
    """django-dsfr's renderer (its field snippets, then Django's widgets), with ``chorus/form_templates`` first:
    its ``select.html`` writes each ``<option>`` in place instead of including one template per option, the
    same HTML at a fraction of the cost (a select of the saisie's VAT rates on each of up to 500 lines); its
    ``checkbox_option.html`` is django-dsfr's with Django's input and attributes written in place, not included
    (a table's row boxes: up to 200 on « Approbations »)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(__file__).resolve().parent / "form_templates",
                    Path(dsfr.forms.__file__).resolve().parent / self.backend.app_dirname,
                    Path(forms.__path__[0]).resolve() / "templates",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )


class Televersement(forms.FileInput):
    """The DSFR upload field (``fr-upload`` in an ``fr-upload-group``): django-dsfr leaves a file input bare."""

    group_class = "fr-upload-group"

    def __init__(self, attrs=None):
        super().__init__({"class": "fr-upload", **(attrs or {})})


class ZoneDepot(Televersement):
    """An upload field that takes several files, chosen or dropped on its frame: the page's script (``zone`` and
    ``choisis`` name its frame and the line that counts the files chosen) writes its refusals in the field's error
    line (``erreur``), which is therefore always printed, hidden while empty. Its markup is
    ``chorus/champs/zone_depot.html`` (``template_name`` of the field that uses it)."""

    allow_multiple_selected = True
    template_name_champ = "chorus/champs/zone_depot.html"

    def __init__(self, attrs=None, *, zone: str, erreur: str, choisis: str):
        super().__init__({"aria-describedby": erreur, **(attrs or {})})
        self.zone, self.erreur, self.choisis = zone, erreur, choisis


class ChampIdentifie(DsfrBoundField):
    """A field whose widget names its own id (the ids pages had when their fields were written by hand, which
    scripts and browser tests point at): its hint's and its error's ids, and the ``aria-describedby`` naming them,
    follow that id instead of the form's ``auto_id``."""

    @property
    def auto_id(self):
        return self.field.widget.attrs.get("id") or super().auto_id

    @property
    def template_name(self):
        return getattr(self.field.widget, "template_name_champ", None) or super().template_name


class FormulaireDsfr(DsfrBaseForm):
    """django-dsfr's form whose fields may keep an id of their own (``ChampIdentifie``)."""

    bound_field_class = ChampIdentifie


FIN_AVANT_DEBUT = "La date de fin doit être postérieure ou égale à la date de début."


class BornesOrdonnees:
    """A form mixin (before the form class): each bound of ``BORNES`` — (first field, last field, message) — in
    order once the fields are cleaned, else its message on the last field (a search « du … au … »)."""

    BORNES: tuple[tuple[str, str, str], ...] = ()

    def clean(self):
        cleaned = super().clean()
        for debut, fin, message in self.BORNES:
            bas, haut = cleaned.get(debut), cleaned.get(fin)
            if bas is not None and haut is not None and bas > haut:
                self.add_error(fin, message)
        return cleaned


class SelectionField(forms.MultipleChoiceField):
    """The checkboxes of a table's rows (``cases_a_cocher``). The choices are the rows shown, but any value reaches
    the code that decides: a row handled meanwhile by someone else, or a value that was never the user's, gets
    that code's French message, not « choix invalide »."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value):
        return True


def cases_a_cocher(form, nom: str, lignes, valeur, libelle) -> list[tuple]:
    """A table whose rows each have a checkbox of ``form[nom]`` (a ``SelectionField``): its choices become the
    rows' values (``valeur(ligne)``; a row without one has no checkbox), each labelled ``libelle(ligne)`` (markup, a
    text for screen readers). Returns each row with its checkbox, or ``None``, for the table's loop."""
    form.fields[nom].choices = [(valeur(ligne), libelle(ligne)) for ligne in lignes if valeur(ligne)]
    cases = iter(form[nom].subwidgets)
    return [(ligne, next(cases) if valeur(ligne) else None) for ligne in lignes]


class DecisionsEnMasseForm(FormulaireDsfr):
    """« Approbations »: approve or refuse the selected requests at once; a refusal's motif goes to each requester.
    The selection is the table's checkboxes, one per request that can be decided from the list (``lignes()``);
    ``navigation.decider_approbations`` refuses an id the user may not decide. Both rules of the page are errors
    of the whole form, shown above the table."""

    selection = SelectionField(label="Sélection", required=False)
    decision = forms.ChoiceField(
        choices=[("APPROUVER", "Approuver"), ("REFUSER", "Refuser")], required=False, widget=forms.HiddenInput
    )
    motif = forms.CharField(
        label="Motif du refus",
        help_text="Obligatoire pour refuser ; envoyé à chaque demandeur.",
        required=False,
        widget=forms.Textarea(attrs={"id": "motif-masse", "rows": 2}),
    )

    def lignes(self, approbations: list[dict]) -> list[tuple]:
        """The requests of the table (``navigation.approbations_de``, read only when the page is shown), each with
        its checkbox when it can be decided from the list (it has an ``id``), labelled by its requester."""
        return cases_a_cocher(
            self,
            "selection",
            approbations,
            valeur=lambda item: item.get("id"),
            libelle=lambda item: format_html(
                '<span class="fr-sr-only">Sélectionner la demande de {}</span>', item["demandeur"]
            ),
        )

    def clean(self):
        cleaned = super().clean()
        cleaned["approuver"] = cleaned.get("decision") == "APPROUVER"
        if not cleaned.get("selection"):
            raise forms.ValidationError("Sélectionnez au moins une demande.")
        if not cleaned["approuver"] and not cleaned.get("motif"):
            raise forms.ValidationError("Le motif est obligatoire pour refuser des demandes.")
        return cleaned


class FiltreMessagesForm(FormulaireDsfr):
    """« Mes messages » (GET): only the unread ones, or all. The page's own link to the next page sends
    ``non_lus=1``; the checkbox sends what a browser sends for a checked box."""

    non_lus = forms.BooleanField(
        label="Afficher uniquement les messages non lus",
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "non-lus"}),
    )

    def non_lus_seulement(self) -> bool:
        return self.is_valid() and self.cleaned_data["non_lus"]


class SelectionMessagesForm(FormulaireDsfr):
    """« Marquer comme lu » (the messages checked in the list) or « Tout marquer comme lu » (``tout``). A value
    that is not a number is ignored; ``messagerie.marquer_lus`` reads only the user's own messages."""

    selection = SelectionField(label="Sélection", required=False)
    tout = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def lignes(self, messages: list) -> list[tuple]:
        """The messages of the page, each with its checkbox."""
        return cases_a_cocher(
            self,
            "selection",
            messages,
            valeur=lambda m: m.pk,
            libelle=lambda m: format_html('<span class="fr-sr-only">Sélectionner le message « {} »</span>', m.sujet),
        )

    def clean_selection(self):
        return [int(v) for v in self.cleaned_data["selection"] if v.isdigit()]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("tout") and not cleaned.get("selection"):
            raise forms.ValidationError("Sélectionnez au moins un message.")
        return cleaned


class PreferencesMessagesForm(FormulaireDsfr):
    """« Préférences » of « Mes messages »: for each type of message (``messagerie.types_messages``), « Recevoir
    aussi par courriel » (checked: yes). A code that is no type is ignored; a type left unchecked is « no »."""

    par_courriel = SelectionField(label="Recevoir aussi par courriel", required=False)

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.types = types
        self.cases = cases_a_cocher(
            self,
            "par_courriel",
            types,
            valeur=lambda t: t.code,
            libelle=lambda t: format_html('{}<span class="fr-hint-text">Recevoir aussi par courriel</span>', t.libelle),
        )

    def groupes(self) -> dict[str, list[tuple]]:
        """The types under their application, as the page lists them, each with its checkbox."""
        groupes: dict[str, list[tuple]] = {}
        for type_message, case in self.cases:
            groupes.setdefault(type_message.application, []).append((type_message, case))
        return groupes

    def preferences(self) -> dict[str, bool]:
        coches = set(self.cleaned_data["par_courriel"])
        return {t.code: t.code in coches for t in self.types}
