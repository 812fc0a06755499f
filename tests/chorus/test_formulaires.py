"""The portal's form renderer writes the same ``<select>`` as Django's (one template per option), the same
checkboxes as django-dsfr's, and is the one every form uses, once per process."""

import re

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.html import format_html
from dsfr.forms import DsfrDjangoTemplates

from chorus.formulaires import FIN_AVANT_DEBUT, BornesOrdonnees, FormulaireDsfr, RenduFormulaires, SelectionField
from facturation.forms import RechercheFacturesForm


class Formulaire(forms.Form):
    simple = forms.ChoiceField(choices=[("x", "X <b>"), ("y", "Y & co")], initial="y")
    groupes = forms.ChoiceField(choices=[("G", [("1", "un"), ("2", "deux")]), ("3", "trois")], required=False)
    multiple = forms.MultipleChoiceField(choices=[("1", "un"), ("2", "deux")], initial=["1", "2"])
    attrs = forms.ChoiceField(choices=[("a", "A")], widget=forms.Select(attrs={"data-x": "1", "disabled": True}))


def _lignes(html: str) -> list[str]:
    return [ligne for ligne in html.splitlines() if ligne.strip()]


def test_select_identique_a_celui_de_django():
    ici, django = Formulaire(renderer=RenduFormulaires()), Formulaire(renderer=DjangoTemplates())
    for nom in Formulaire.base_fields:
        assert _lignes(str(ici[nom])) == _lignes(str(django[nom])), nom
    assert 'value="y" selected>Y &amp; co</option>' in str(ici["simple"])


def test_un_seul_rendu_par_processus():
    premier, second = RechercheFacturesForm(), RechercheFacturesForm()
    assert isinstance(premier.renderer, RenduFormulaires)
    assert premier.renderer is second.renderer is get_default_renderer()
    assert 'name="statut"' in str(premier["statut"])


class LibelleAvecAide:
    """A choice's label with a hint, as django-dsfr's checkbox reads it (``label.label``, ``label.help_text``)."""

    def __init__(self, label, help_text):
        self.label, self.help_text = label, help_text


class Cases(FormulaireDsfr):
    selection = SelectionField(
        choices=[("1", format_html('<span class="fr-sr-only">Ligne {}</span>', "<1>")), ("2", "Deux & co")]
    )
    aide = forms.MultipleChoiceField(
        choices=[("a", LibelleAvecAide("A", "Aide <a>")), ("b", "B")],
        widget=forms.CheckboxSelectMultiple(attrs={"data-x": "1", "disabled": True}),
    )


def _sans_blancs(html: str) -> str:
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", re.sub(r"\s+", " ", html))).strip()


def test_cases_identiques_a_celles_de_django_dsfr():
    ici = Cases({"selection": ["2"], "aide": ["a"]}, renderer=RenduFormulaires())
    dsfr = Cases({"selection": ["2"], "aide": ["a"]}, renderer=DsfrDjangoTemplates())
    for nom in Cases.base_fields:
        cases = [str(case) for case in ici[nom]]
        assert cases == [_sans_blancs(str(case)) for case in dsfr[nom]], nom
    premiere, seconde = (str(case) for case in ici["selection"])
    assert premiere.startswith('<div class="fr-checkbox-group"><input type="checkbox" name="selection" value="1"')
    assert '<span class="fr-sr-only">Ligne &lt;1&gt;</span></label></div>' in premiere
    assert 'value="2" dsfr="dsfr" id="id_selection_1" checked>' in seconde and "Deux &amp; co</label>" in seconde
    avec_aide = str(ici["aide"][0])
    assert 'data-x="1" disabled dsfr="dsfr" id="id_aide_0" checked>' in avec_aide
    assert 'A<span class="fr-hint-text" id="id_aide_0_helptext">Aide &lt;a&gt;</span></label>' in avec_aide


class Periode(BornesOrdonnees, forms.Form):
    BORNES = (("du", "au", FIN_AVANT_DEBUT), ("min", "max", "Le maximum précède le minimum."))

    du = forms.DateField(required=False)
    au = forms.DateField(required=False)
    min = forms.IntegerField(required=False)
    max = forms.IntegerField(required=False)


def test_bornes_dans_l_ordre():
    """Each bound of ``BORNES`` out of order puts its message on its last field; equal bounds, a missing one, or an
    invalid one (already an error of its own field) add nothing."""
    form = Periode({"du": "2026-05-02", "au": "2026-05-01", "min": "3", "max": "2"})
    assert not form.is_valid()
    assert form.errors == {"au": [FIN_AVANT_DEBUT], "max": ["Le maximum précède le minimum."]}
    assert Periode({"du": "2026-05-01", "au": "2026-05-01", "min": "0", "max": "0"}).is_valid()
    assert Periode({"du": "2026-05-02", "max": "2"}).is_valid()
    invalide = Periode({"du": "2026-05-02", "au": "2026-02-31"})
    assert not invalide.is_valid() and list(invalide.errors) == ["au"] and FIN_AVANT_DEBUT not in invalide.errors["au"]
