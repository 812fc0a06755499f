"""The portal's form renderer writes the same ``<select>`` as Django's (one template per option) and is the one
every form uses, once per process."""

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from chorus.formulaires import RenduFormulaires
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
