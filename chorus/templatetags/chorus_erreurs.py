"""The error summary at the top of a page whose form was refused (issue 14 item 10): « Le formulaire comporte
2 erreurs », each a link to its field; ``static/chorus/portail.js`` moves the keyboard focus to it.

``{% resume_erreurs %}`` (in ``base.html``) reads every bound form and formset of the page's context, so a view has
nothing to add."""

from django import forms, template

register = template.Library()


def _erreurs_du_formulaire(form) -> tuple[int, list[dict]]:
    """The number of the form's errors, and its fields in error (label and anchor), in the form's order. The
    messages themselves stay next to their field: the summary names the fields."""
    champs = []
    nombre = len(form.non_field_errors())
    for nom, messages in form.errors.items():
        if nom == forms.forms.NON_FIELD_ERRORS or nom not in form.fields:
            continue
        nombre += len(messages)
        champ = form[nom]
        ancre = champ.id_for_label or champ.auto_id or ""
        if ancre:
            champs.append({"ancre": ancre, "libelle": str(champ.label or nom)})
    return nombre, champs


@register.inclusion_tag("chorus/_resume_erreurs.html", takes_context=True)
def resume_erreurs(context):
    nombre, generales, champs, vus = 0, 0, [], set()
    formulaires = []
    for valeur in context.flatten().values():
        if id(valeur) in vus:
            continue
        vus.add(id(valeur))
        if isinstance(valeur, forms.BaseForm) and valeur.is_bound:
            formulaires.append(valeur)
        elif isinstance(valeur, forms.BaseFormSet) and valeur.is_bound:
            nombre += len(valeur.non_form_errors())
            generales += len(valeur.non_form_errors())
            formulaires += valeur.forms
    for form in formulaires:
        n, c = _erreurs_du_formulaire(form)
        nombre += n
        generales += len(form.non_field_errors())
        champs += c
    return {"nombre": nombre, "generales": generales, "champs": champs}
