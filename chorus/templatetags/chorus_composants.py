"""The DSFR components whose content is markup (a list, a link, a form's errors): django-dsfr's ``dsfr_alert`` and
``dsfr_callout`` take their text as a string and escape it (``DSFR_CONTENT_IS_SAFE = False``), so a template that
needs more than a sentence wraps it in one of these block tags instead of copying the DSFR markup::

    {% load chorus_composants %}
    {% alerte "error" classes="fr-alert--sm fr-mb-2w" role="alert" data_testid="erreurs-filtres" %}
      <ul>{% for e in erreurs %}<li>{{ e }}</li>{% endfor %}</ul>
    {% finalerte %}

    {% mise_en_avant titre="Pièce précédente" niveau="h4" titre_classes="fr-h6" %}
      <p class="fr-callout__text">…</p>
    {% fin_mise_en_avant %}

A title that is itself markup (a condition, a filter) comes before ``{% corps %}``, the content after it (the
caption of a ``{% tableau %}`` likewise)::

    {% alerte "success" niveau="h3" %}{% if moi %}Votre pièce{% else %}Cette pièce{% endif %}{% corps %}…{% finalerte %}

A card's footer, likewise, comes after ``{% pied %}``.

Keywords: ``titre`` (text), ``niveau`` (the title's tag, ``p`` by default), ``titre_classes``, ``titre_id`` (a title
the page moves the focus to: it gets ``tabindex="-1"``), ``classes`` (added to the container's), ``role``, ``id``;
any other keyword is an attribute of the container, ``_`` written ``-`` (``data_testid``, ``aria_live``,
``data_url``). Each component is printed by one template, ``chorus/composants/<name>.html``."""

from django import template
from django.template.base import token_kwargs
from django.urls import reverse
from dsfr.templatetags.dsfr_tags import dsfr_card

from chorus.models import Publication
from chorus.templatetags.chorus_format import jour

register = template.Library()

MOTS_CLES = (
    "titre",
    "niveau",
    "titre_classes",
    "titre_id",
    "classes",
    "role",
    "id",
    "table_testid",
    "lignes",
    "vide",
    "ouvert",
)


class ComposantNode(template.Node):
    def __init__(self, gabarit, type_, options, titre, corps, pied):
        self.gabarit = gabarit
        self.type_ = type_
        self.options = options
        self.titre = titre
        self.corps = corps
        self.pied = pied

    def render(self, context):
        valeurs = {nom: expression.resolve(context) for nom, expression in self.options.items()}
        donnees = {nom: valeurs.pop(nom, "") for nom in MOTS_CLES}
        if self.titre is not None:
            donnees["titre"] = self.titre.render(context)  # already escaped: NodeList.render returns a SafeString
        donnees["niveau"] = donnees["niveau"] or "p"
        donnees["type"] = self.type_.resolve(context) if self.type_ is not None else ""
        donnees["attributs"] = [(nom.replace("_", "-"), valeur) for nom, valeur in valeurs.items()]
        donnees["corps"] = self.corps.render(context)
        donnees["pied"] = self.pied.render(context) if self.pied is not None else ""
        return context.template.engine.get_template(self.gabarit).render(
            template.Context(donnees, autoescape=context.autoescape)
        )


def _composant(parser, token, gabarit, fin, avec_type):
    morceaux = token.split_contents()
    nom, arguments = morceaux[0], morceaux[1:]
    type_ = None
    if avec_type:
        if not arguments or "=" in arguments[0]:
            raise template.TemplateSyntaxError(f'{{% {nom} %}} veut d\'abord son type : {{% {nom} "error" … %}}')
        type_ = parser.compile_filter(arguments.pop(0))
    options = token_kwargs(arguments, parser)
    if arguments:
        raise template.TemplateSyntaxError(f"{{% {nom} %}} : argument non reconnu {arguments[0]!r}")
    titre = pied = None
    corps = parser.parse(("corps", "pied", fin))
    fin_de_section = parser.next_token().contents
    if fin_de_section == "corps":
        titre = corps
        corps = parser.parse(("pied", fin))
        fin_de_section = parser.next_token().contents
    if fin_de_section == "pied":
        pied = parser.parse((fin,))
        parser.delete_first_token()
    return ComposantNode(gabarit, type_, options, titre, corps, pied)


@register.tag
def alerte(parser, token):
    """An alert (``fr-alert``): ``{% alerte "error|warning|info|success" … %}…{% finalerte %}``."""
    return _composant(parser, token, "chorus/composants/alerte.html", "finalerte", avec_type=True)


@register.tag
def mise_en_avant(parser, token):
    """A callout (DSFR « mise en avant », ``fr-callout``): ``{% mise_en_avant … %}…{% fin_mise_en_avant %}``."""
    return _composant(parser, token, "chorus/composants/mise_en_avant.html", "fin_mise_en_avant", avec_type=False)


@register.tag
def carte(parser, token):
    """A card (``fr-card``) whose content or footer is markup (buttons, a message's text): ``{% carte … %}[title
    {% corps %}]content[{% pied %}footer]{% fin_carte %}``; a card that is a title, a link and a text is django-dsfr's
    ``dsfr_card`` (``carte_publication``)."""
    return _composant(parser, token, "chorus/composants/carte.html", "fin_carte", avec_type=False)


@register.tag
def accordeon(parser, token):
    """A section of an accordion (``fr-accordion``) whose content is forms and lists, which django-dsfr's
    ``dsfr_accordion`` escapes: ``{% accordeon titre="Services" niveau="h2" id="acc-services"
    ouvert=service_form.is_bound %}…{% fin_accordeon %}``; ``id`` is the collapsed panel's."""
    return _composant(parser, token, "chorus/composants/accordeon.html", "fin_accordeon", avec_type=False)


@register.tag
def tableau(parser, token):
    """A table's container (``fr-table``) and caption, around its rows: ``dsfr_table`` escapes its cells, and the
    portal's cells hold links, badges and forms. ``{% tableau titre="…" %}<thead>…</thead><tbody>…</tbody>
    {% fin_tableau %}``; the title is the ``<caption>``; ``table_testid`` marks the ``<table>`` itself. With
    ``lignes=rattachements vide="Vous n'êtes rattaché à aucune structure."``, an empty list shows that sentence (a
    callout) instead of the table."""
    return _composant(parser, token, "chorus/composants/tableau.html", "fin_tableau", avec_type=False)


@register.inclusion_tag("chorus/composants/badge.html")
def badge(libelle, classes="", testid="", *, titre="", lecteur="", nouveau=False, date=None):
    """A badge inside a sentence or a cell: ``{% badge facture.get_statut_display "fr-badge--sm" "statut" %}``.
    django-dsfr's ``dsfr_badge`` prints a ``<p>``, which cannot stand inside a paragraph; this one is a ``<span>``.
    ``date`` follows the label, formatted (« Révoqué le 03/12/2026 »); ``titre`` is its tooltip, ``lecteur`` a text
    for screen readers only after the label (a counter's « non lus »), ``nouveau`` the « new » colour when true."""
    return {
        "libelle": libelle,
        "classes": classes,
        "testid": testid,
        "titre": titre,
        "lecteur": lecteur,
        "nouveau": nouveau,
        "date": date,
    }


@register.inclusion_tag("chorus/composants/page_suivante.html", takes_context=True)
def page_suivante(context, libelle="Résultats suivants", params=None):
    """The link to the next page of a list paginated by cursor (``chorus.pagination``: the context's ``suivante``
    and, unless given, its ``params``, the list's criteria): « Résultats suivants ». django-dsfr's
    ``dsfr_pagination`` numbers pages, which a cursor does not."""
    return {
        "suivante": context.get("suivante"),
        "params": context.get("params", "") if params is None else params,
        "libelle": libelle,
    }


@register.inclusion_tag("dsfr/card.html")
def carte_publication(publication, niveau="h3"):
    """A publication of « Communication », « Support » or the home page, as django-dsfr's card (``dsfr_card``):
    its title links to the publication, its summary and its date follow; nothing is shortened (the model's
    lengths)."""
    champs = Publication._meta
    return dsfr_card(
        {
            "title": publication.titre,
            "link": reverse("publication", args=[publication.pk]),
            "heading_tag": niveau,
            "description": publication.resume,
            "bottom_detail": {"text": f"Publié le {jour(publication.date_publication)}"},
            "title_max_length": champs.get_field("titre").max_length,
            "description_max_length": champs.get_field("resume").max_length,
        }
    )
