"""The ``<title>`` of a page (WCAG 2.4.2): ``base.html`` prints ``{% block titre_page %}`` then « — Chorus Pro ».

A template names its page in that block; when it does not, the title is read from the view's ``titre`` or from its
breadcrumb (``breadcrumb_data``), from the current page up to its parents: « Rechercher — Factures émises »."""

from django import template

register = template.Library()

SEPARATEUR = " — "


@register.simple_tag(takes_context=True)
def titre_par_defaut(context):
    titre = context.get("titre")
    if titre:
        return str(titre)
    fil = context.get("breadcrumb_data") or {}
    morceaux = [fil.get("current") or ""] + [lien.get("title", "") for lien in reversed(fil.get("links") or [])]
    return SEPARATEUR.join(m for m in morceaux if m)


@register.filter(is_safe=True)
def titre_complet(titre):
    """« Nom de la page — Chorus Pro », or « Chorus Pro » alone when the page has no name."""
    titre = " ".join(str(titre).split())
    return f"{titre}{SEPARATEUR}Chorus Pro" if titre else "Chorus Pro"
