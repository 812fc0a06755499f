"""The form renderer of the portal (django-dsfr's, with one override of Django's widget templates), the DSFR upload
widget, the base of a form whose fields keep ids of their own, and the kit's own form: « Approbations » en masse."""

from pathlib import Path

import dsfr.forms
from django import forms
from django.utils.functional import cached_property
from dsfr.forms import DsfrBaseForm, DsfrBoundField


class RenduFormulaires(dsfr.forms.DsfrDjangoTemplates):
    """django-dsfr's renderer (its field snippets, then Django's widgets), with ``chorus/form_templates`` first:
    its ``select.html`` writes each ``<option>`` in place instead of including one template per option, the
    same HTML at a fraction of the cost (a select of the saisie's VAT rates on each of up to 500 lines)."""

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


class ChampIdentifie(DsfrBoundField):
    """A field whose widget names its own id (the ids pages had when their fields were written by hand, which
    scripts and browser tests point at): its hint's and its error's ids, and the ``aria-describedby`` naming them,
    follow that id instead of the form's ``auto_id``."""

    @property
    def auto_id(self):
        return self.field.widget.attrs.get("id") or super().auto_id


class FormulaireDsfr(DsfrBaseForm):
    """django-dsfr's form whose fields may keep an id of their own (``ChampIdentifie``)."""

    bound_field_class = ChampIdentifie


class DecisionsEnMasseForm(FormulaireDsfr):
    """« Approbations »: approve or refuse the selected requests at once; a refusal's motif goes to each requester.
    The selection is the table's checkboxes (``navigation.decider_approbations`` refuses an id the user may not
    decide); both rules of the page are errors of the whole form, shown above the table."""

    selection = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    decision = forms.ChoiceField(
        choices=[("APPROUVER", "Approuver"), ("REFUSER", "Refuser")], required=False, widget=forms.HiddenInput
    )
    motif = forms.CharField(
        label="Motif du refus",
        help_text="Obligatoire pour refuser ; envoyé à chaque demandeur.",
        required=False,
        widget=forms.Textarea(attrs={"id": "motif-masse", "rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["approuver"] = cleaned.get("decision") == "APPROUVER"
        if not cleaned.get("selection"):
            raise forms.ValidationError("Sélectionnez au moins une demande.")
        if not cleaned["approuver"] and not cleaned.get("motif"):
            raise forms.ValidationError("Le motif est obligatoire pour refuser des demandes.")
        return cleaned
