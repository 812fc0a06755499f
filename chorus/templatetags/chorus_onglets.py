"""``{% onglets "FACTURES_EMISES" %}``: an application's tab bar, registered with
``chorus.navigation.register_onglets`` and printed by the one template ``chorus/_onglets.html``.

A tab registered with ``si="peut_saisir"`` shows when that context variable is true; the tag's keyword
arguments override the context (``{% onglets "SOLLICITATIONS_EMISES" peut_saisir=False %}``).
"""

from django import template

from chorus import navigation

register = template.Library()


@register.inclusion_tag("chorus/_onglets.html", takes_context=True)
def onglets(context, code, **variables):
    request = context.get("request")
    chemin = request.path if request is not None else ""
    return navigation.onglets(code, chemin, lambda nom: variables[nom] if nom in variables else context.get(nom))
