"""What the pages of every application share: the breadcrumb that starts at the application's home, and the one
404 for an object that does not exist or that the user may not see (the same answer for both, so nothing leaks)."""

from django.http import Http404
from django.urls import reverse

from chorus.navigation import fil_ariane


def fil_depuis(accueil: tuple[str, str]):
    """``fil(courant, *liens)``: the breadcrumb of a page of the application whose home is ``accueil`` (its title
    and URL name), through ``liens`` ((title, URL) pairs) to the ``courant`` page."""
    titre, url_name = accueil

    def fil(courant: str, *liens: tuple[str, str]) -> dict:
        return fil_ariane((titre, reverse(url_name)), *liens, courant=courant)

    return fil


def trouve_ou_404(objet, message: str):
    """``objet`` as the user's scoped query found it; None (missing, or outside the user's scope) is a 404 saying
    ``message``."""
    if objet is None:
        raise Http404(message)
    return objet
