"""A service's refusal (``ValidationError``) shown on the form that asked for it, the same way on every page."""

from django.core.exceptions import ValidationError


def erreurs_sur_formulaire(form, exc: ValidationError, champs: dict | None = None) -> None:
    """Each error of ``exc`` next to its field (``champs`` maps the model's field names to the form's), on top of the
    form when the error names no field or one the form does not have."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for champ, erreurs in exc.error_dict.items():
        champ = (champs or {}).get(champ, champ)
        form.add_error(champ if champ in form.fields else None, erreurs)
