from django.conf import settings

from chorus import messagerie, navigation

SITE = {
    "site_title": "Chorus Pro",
    "site_tagline": "La facturation électronique du secteur public",
    "header_brand_html": "République<br>Française",
    "footer_brand_html": "République<br>Française",
    "footer_description": (
        "Chorus Pro est la solution mutualisée de facturation électronique du secteur public, "
        "ouverte aux fournisseurs et aux entités publiques."
    ),
    "beta_tag": False,
}


def portail(request):
    """Layout data: site identity, the user menu, the approbations badge (one count per source) and the unread
    messages' count (cached; else one COUNT on a partial index)."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "SITE_CONFIG": SITE,
        "menu_utilisateur": navigation.menu_utilisateur() if authenticated else [],
        "nombre_approbations": navigation.nombre_approbations(user) if authenticated else 0,
        "nombre_messages_non_lus": messagerie.nombre_non_lus(user) if authenticated else 0,
        "DEBUG": settings.DEBUG,
    }
