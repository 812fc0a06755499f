"""``{% url_fixe "accueil" %}`` (or ``… as url_accueil``): ``{% url %}`` for a URL without arguments, computed once
per process (``chorus.navigation.url_fixe``) — the shared layout's header, menu and footer print some twenty on
every page."""

from django import template

from chorus import navigation

register = template.Library()


@register.simple_tag
def url_fixe(nom):
    return navigation.url_fixe(nom)
