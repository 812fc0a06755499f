"""The form renderer of the portal: django-dsfr's, with one override of Django's widget templates."""

from pathlib import Path

import dsfr.forms
from django import forms
from django.utils.functional import cached_property


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
