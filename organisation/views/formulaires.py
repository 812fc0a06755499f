"""The organisation pages built around one form, each under its parent page in the breadcrumb (a service's refusal
is put on the form by ``chorus.erreurs_formulaire``)."""

from django.shortcuts import render
from django.urls import reverse

from chorus.navigation import fil_ariane


def page_formulaire(request, gabarit: str, form, *, courant: str, parent: tuple[str, str] | None = None, **contexte):
    """The page of ``form``; ``parent``: (title, URL name) of the page it hangs from in the breadcrumb."""
    liens = [(parent[0], reverse(parent[1]))] if parent else []
    return render(request, gabarit, {"form": form, "breadcrumb_data": fil_ariane(*liens, courant=courant), **contexte})
