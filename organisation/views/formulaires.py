"""The organisation pages built around one form: the page (under its parent page in the breadcrumb), and the
service's refusal shown on the form."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse

from chorus.navigation import fil_ariane


def erreurs_sur_formulaire(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: on the field it names when the form has it, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def page_formulaire(request, gabarit: str, form, *, courant: str, parent: tuple[str, str] | None = None, **contexte):
    """The page of ``form``; ``parent``: (title, URL name) of the page it hangs from in the breadcrumb."""
    liens = [(parent[0], reverse(parent[1]))] if parent else []
    return render(request, gabarit, {"form": form, "breadcrumb_data": fil_ariane(*liens, courant=courant), **contexte})
