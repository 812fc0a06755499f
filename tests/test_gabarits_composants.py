"""The DSFR components have one markup each: an alert or a callout is printed by django-dsfr's ``dsfr_alert`` /
``dsfr_callout`` or, when its content is markup, by ``{% alerte %}`` / ``{% mise_en_avant %}``; a table's container
and caption by ``{% tableau %}``; a card by ``dsfr_card`` or, with content of its own, ``{% carte %}``; an
accordion's section by ``{% accordeon %}``; a badge by ``dsfr_badge`` (a paragraph) or ``{% badge %}`` (within a
line, with a date, a tooltip or a text for screen readers) (``chorus/templatetags/chorus_composants.py`` →
``templates/chorus/composants/``); a form field (label, hint, input, errors) — text, select, checkbox, radio or
upload — by its form, ``{{ form.champ.as_field_group }}`` (django-dsfr's snippets, or a field template of the form
renderer under ``chorus/form_templates/``, such as the drop zone of « Déposer facture »), and a table's row boxes by
its form's ``SelectionField`` (``chorus.formulaires.cases_a_cocher``). A template that writes the container's classes
itself holds a copy of that markup: ``test_aucun_gabarit_ne_recopie_un_composant`` fails on it."""

import datetime
import re

import pytest
from django.template import Context, Template, TemplateSyntaxError

from tests.test_gabarits_sans_statut import RACINE, gabarits

COMPOSANTS = RACINE / "templates" / "chorus" / "composants"
# The form renderer's own field templates (``chorus.formulaires.RenduFormulaires``): the one copy of a field's markup.
CHAMPS = RACINE / "chorus" / "form_templates"
# The container of a component, not its parts (``fr-alert__title``) nor its variants (``fr-alert--sm``).
CONTENEUR = re.compile(
    r"""class=["'][^"']*(?<![\w-])fr-(?P<composant>alert|callout|table|badge|card|accordion|input-group|select-group"""
    r"""|upload-group|checkbox-group|radio-group)(?![\w-])"""
)
# The checkboxes still written by hand, and why: a row's box in the invoice lists (50 rows a page, on the pages whose
# time BENCHMARKS.md follows at 10 M invoices: a widget's three templates per row are not measured yet), and
# « Tout sélectionner », a control of the page's script that no form receives.
CASES_A_LA_MAIN = {
    "facturation/templates/facturation/_table.html",
    "facturation/templates/facturation/recues/_table.html",
    "facturation/templates/facturation/listes/_selection.html",
    "facturation/templates/facturation/recues/synthese.html",
}


def conteneurs_recopies(texte: str) -> list[tuple[int, str]]:
    return [(texte.count("\n", 0, m.start()) + 1, m.group("composant")) for m in CONTENEUR.finditer(texte)]


def _rendre(source: str, **contexte) -> str:
    return Template("{% load chorus_composants %}" + source).render(Context(contexte))


def test_le_detecteur_reconnait_un_conteneur_et_laisse_ses_parties():
    assert conteneurs_recopies('<div class="fr-alert fr-alert--error" role="alert">')
    assert conteneurs_recopies('<div class="fr-col-12 fr-callout">')
    assert conteneurs_recopies("<div class='fr-callout fr-mb-2w'>")
    assert not conteneurs_recopies('<p class="fr-callout__text">')
    assert not conteneurs_recopies('<h2 class="fr-alert__title">')
    assert not conteneurs_recopies('{% dsfr_alert type="info" extra_classes="fr-alert--sm" %}')
    assert conteneurs_recopies('<div class="fr-table fr-table--no-caption">')
    assert conteneurs_recopies('<span class="fr-badge fr-badge--sm">')
    assert not conteneurs_recopies('<div class="fr-table__wrapper">')
    assert conteneurs_recopies('<div class="fr-card fr-enlarge-link">')
    assert not conteneurs_recopies('<p class="fr-card__desc">')
    assert conteneurs_recopies('<div class="fr-input-group {% if erreur %}fr-input-group--error{% endif %}">')
    assert conteneurs_recopies('<div class="fr-col-12"><div class="fr-input-group"><label class="fr-label">')
    assert not conteneurs_recopies('<div class="fr-col-12 fr-col-md-3">{{ form.siret.as_field_group }}</div>')
    assert conteneurs_recopies('<p class="fr-badge fr-badge--error fr-badge--sm">Révoqué le {{ d|jour }}</p>')
    assert conteneurs_recopies('<div class="fr-select-group">') == [(1, "select-group")]
    assert conteneurs_recopies('<div class="fr-upload-group fr-mb-3w {% if e %}fr-upload-group--error{% endif %}">')
    assert not conteneurs_recopies('<select class="fr-select" id="choix-structure" name="structure">')
    assert not conteneurs_recopies('<input class="fr-upload" type="file" name="fichier">')
    assert conteneurs_recopies('<td><div class="fr-checkbox-group fr-checkbox-group--sm"><input type="checkbox">') == [
        (1, "checkbox-group")
    ]
    assert conteneurs_recopies('<div class="fr-radio-group">')


def test_aucun_gabarit_ne_recopie_un_composant():
    fichiers = gabarits()
    assert RACINE / "facturation/templates/facturation/saisir.html" in fichiers
    fautes = []
    for fichier in fichiers:
        if fichier.is_relative_to(COMPOSANTS) or fichier.is_relative_to(CHAMPS):
            continue
        nom = str(fichier.relative_to(RACINE))
        fautes += [
            f"{nom}:{ligne}: fr-{composant}"
            for ligne, composant in conteneurs_recopies(fichier.read_text(encoding="utf-8"))
            if not (composant == "checkbox-group" and nom in CASES_A_LA_MAIN)
        ]
    assert not fautes, (
        "Ces gabarits recopient le balisage d'un composant DSFR : utilisez {% dsfr_alert %} / {% dsfr_callout %} "
        "ou, pour un contenu balisé, {% alerte %} / {% mise_en_avant %} ; {% tableau %} ; {% dsfr_badge %} / "
        "{% badge %} (chorus_composants) ; pour un champ, son formulaire : {{ form.champ.as_field_group }}.\n"
        + "\n".join(fautes)
    )
    # The components are really used: the scan above would pass on templates that no longer show any alert.
    textes = "".join(f.read_text(encoding="utf-8") for f in fichiers)
    assert textes.count("{% alerte ") > 20
    assert textes.count("{% mise_en_avant") > 5
    assert textes.count("{% tableau") > 40
    assert textes.count("{% badge ") > 10
    assert textes.count(".as_field_group }}") > 100


def test_les_cases_ecrites_a_la_main_le_sont_encore():
    # The exception must not outlive its reason: a file of the list that no longer writes a box leaves the list.
    for nom in sorted(CASES_A_LA_MAIN):
        assert "checkbox-group" in {c for _, c in conteneurs_recopies((RACINE / nom).read_text(encoding="utf-8"))}, nom


def test_tableau_et_badge():
    html = _rendre(
        '{% tableau classes="fr-mt-2w" table_testid="t" data_testid="c" %}Total de {{ n }} pièce{{ n|pluralize }}'
        '{% corps %}<tbody><tr><td>{% badge libelle "fr-badge--sm "|add:classe "b" %}</td></tr></tbody>'
        "{% fin_tableau %}",
        n=2,
        libelle="En attente d'approbation",
        classe="fr-badge--info",
    )
    assert '<div class="fr-table fr-mt-2w" data-testid="c">' in html
    assert '<table data-testid="t">' in html
    assert "<caption>Total de 2 pièces</caption>" in html
    assert (
        '<span class="fr-badge fr-badge--sm fr-badge--info" data-testid="b">En attente d&#x27;approbation</span>'
        in html
    )
    assert html.index("<caption>") < html.index("<tbody>") < html.index("</table>") < html.rindex("</div>")


def test_badge_date_infobulle_et_texte_pour_lecteur_d_ecran():
    revoque = _rendre('{% badge "Révoqué le" "fr-badge--error" date=d %}', d=datetime.date(2026, 12, 3))
    assert revoque == '<span class="fr-badge fr-badge--error">Révoqué le 03/12/2026</span>'
    compteur = (
        '{% with s=n|pluralize:" message non lu, messages non lus" %}{% badge n "fr-badge--sm" "m" '
        'titre=n|stringformat:"d"|add:s lecteur=n|pluralize:" non lu, non lus" nouveau=n %}{% endwith %}'
    )
    assert _rendre(compteur, n=3) == (
        '<span class="fr-badge fr-badge--sm fr-badge--new" data-testid="m" title="3 messages non lus">3'
        '<span class="fr-sr-only"> non lus</span></span>'
    )
    assert _rendre(compteur, n=1).endswith('title="1 message non lu">1<span class="fr-sr-only"> non lu</span></span>')
    assert 'class="fr-badge fr-badge--sm" data-testid="m" title="0 messages non lus">0' in _rendre(compteur, n=0)
    assert (
        _rendre("{% badge l titre=t %}", l="<b>", t='"x"')
        == '<span class="fr-badge" title="&quot;x&quot;">&lt;b&gt;</span>'
    )


def test_alerte_avec_titre_attributs_et_contenu_balise():
    html = _rendre(
        '{% alerte "error" titre="Le dépôt n\'a pas été enregistré" niveau="h3" classes="fr-mb-3w" role="alert" '
        'data_testid="erreurs" %}<ul>{% for e in erreurs %}<li>{{ e }}</li>{% endfor %}</ul>{% finalerte %}',
        erreurs=["Fichier vide", "<b>piège</b>"],
    )
    assert '<div class="fr-alert fr-alert--error fr-mb-3w" role="alert" data-testid="erreurs">' in html
    assert '<h3 class="fr-alert__title">Le dépôt n\'a pas été enregistré</h3>' in html
    assert "<ul><li>Fichier vide</li><li>&lt;b&gt;piège&lt;/b&gt;</li></ul>" in html
    assert html.count("</div>") == 1


def test_alerte_sans_titre_ni_role():
    html = _rendre('{% alerte "info" classes="fr-alert--sm" %}<p>Rien</p>{% finalerte %}')
    assert '<div class="fr-alert fr-alert--info fr-alert--sm">' in html
    assert "fr-alert__title" not in html
    assert "role=" not in html


def test_titre_balise_avant_corps_et_variable_echappee():
    gabarit = (
        '{% alerte "success" niveau="h2" id="resume" tabindex="-1" data_testid=testid %}'
        "{% if moi %}Votre pièce{% else %}Cette pièce{% endif %} de {{ nom }}{% corps %}<p>ok</p>{% finalerte %}"
    )
    html = _rendre(gabarit, moi=True, nom="<i>X</i>", testid='a"b')
    assert '<div class="fr-alert fr-alert--success" id="resume" tabindex="-1" data-testid="a&quot;b">' in html
    assert '<h2 class="fr-alert__title">Votre pièce de &lt;i&gt;X&lt;/i&gt;</h2>' in html
    assert "<p>ok</p>" in html
    assert "Cette pièce" in _rendre(gabarit, moi=False, nom="Y", testid="t")


def test_mise_en_avant_titre_focalisable_et_imbrication():
    html = _rendre(
        '{% mise_en_avant titre=titre niveau="h3" titre_classes="fr-h6" titre_id="t" classes="fr-mb-2w" %}'
        '{% alerte "warning" %}<p>dedans</p>{% finalerte %}{% fin_mise_en_avant %}',
        titre="Destinataire : A & B",
    )
    assert html.strip().startswith('<div class="fr-callout fr-mb-2w">')
    assert '<h3 class="fr-callout__title fr-h6" id="t" tabindex="-1">Destinataire : A &amp; B</h3>' in html
    assert '<div class="fr-alert fr-alert--warning">' in html
    assert html.index("fr-alert--warning") > html.index("fr-callout__title")
    assert html.count("</div>") == 2


@pytest.mark.parametrize(
    "source",
    [
        "{% alerte %}x{% finalerte %}",  # no type
        '{% alerte "info" inconnu %}x{% finalerte %}',  # a positional argument after the type
        '{% alerte "info" %}x',  # never closed
    ],
)
def test_erreurs_de_syntaxe(source):
    with pytest.raises(TemplateSyntaxError):
        _rendre(source)


def test_carte_titre_corps_et_pied():
    gabarit = (
        '{% carte niveau="h2" classes="fr-card--no-arrow" %}Bonjour {{ prenom }}{% corps %}<p class="fr-card__desc">'
        "Texte</p>{% pied %}<ul><li>bouton</li></ul>{% fin_carte %}"
    )
    html = _rendre(gabarit, prenom="Anne")
    assert '<div class="fr-card fr-card--no-arrow">' in html
    assert '<h2 class="fr-card__title">Bonjour Anne</h2>' in html
    assert html.index("fr-card__content") < html.index("Texte") < html.index("fr-card__footer") < html.index("bouton")
    sans_pied = _rendre('{% carte %}<p class="fr-card__desc">Texte</p>{% fin_carte %}')
    assert "fr-card__footer" not in sans_pied
    assert "fr-card__title" not in sans_pied
    assert sans_pied.count("</div>") == 3


def test_tableau_vide_et_page_suivante():
    gabarit = (
        '{% tableau titre="Vos structures" lignes=lignes vide="Vous n\'êtes rattaché à aucune structure." %}'
        "<tbody>{% for l in lignes %}<tr><td>{{ l }}</td></tr>{% endfor %}</tbody>{% fin_tableau %}"
        '{% page_suivante "Messages suivants" %}'
    )
    vide = _rendre(gabarit, lignes=[], suivante=None, params="")
    assert "<table" not in vide and "Messages suivants" not in vide
    assert "fr-callout" in vide and "Vous n'êtes rattaché à aucune structure." in vide
    plein = _rendre(gabarit, lignes=["A"], suivante=42, params="numero=M-&statut=X")
    assert "fr-callout" not in plein and "<td>A</td>" in plein
    assert '<a class="fr-link" href="?numero=M-&amp;statut=X&amp;apres=42">Messages suivants</a>' in plein
    sans_criteres = _rendre('{% page_suivante params="" %}', suivante=7, params="ignore=1")
    assert 'href="?apres=7">Résultats suivants</a>' in sans_criteres


def test_accordeon():
    gabarit = (
        '{% accordeon titre="Services" niveau="h2" id="acc-services" ouvert=ouvert %}<form></form>{% fin_accordeon %}'
    )
    ferme = _rendre(gabarit, ouvert=False)
    assert '<section class="fr-accordion">' in ferme
    assert (
        '<h2 class="fr-accordion__title"><button class="fr-accordion__btn" aria-expanded="false" '
        'aria-controls="acc-services">Services</button></h2>'
    ) in ferme
    assert '<div class="fr-collapse" id="acc-services"><form></form></div>' in ferme
    assert 'aria-expanded="true"' in _rendre(gabarit, ouvert=True)
