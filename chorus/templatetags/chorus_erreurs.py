"""The error summary at the top of a page whose form was refused (issue 14 item 10): « Le formulaire comporte
2 erreurs », each a link to its field; ``static/chorus/portail.js`` moves the keyboard focus to it.

``{% resume_erreurs %}`` (in ``base.html``) reads every bound form and formset of the page's context, so a view has
nothing to add."""

from django import forms, template

register = template.Library()


def _erreurs_du_formulaire(form) -> list[dict]:
    erreurs = [{"ancre": "", "libelle": "", "message": str(m)} for m in form.non_field_errors()]
    for nom, messages in form.errors.items():
        if nom == forms.forms.NON_FIELD_ERRORS or nom not in form.fields:
            continue
        champ = form[nom]
        ancre = champ.id_for_label or champ.auto_id or ""
        erreurs += [{"ancre": ancre, "libelle": str(champ.label or ""), "message": str(m)} for m in messages]
    return erreurs


@register.inclusion_tag("chorus/_resume_erreurs.html", takes_context=True)
def resume_erreurs(context):
    erreurs, vus = [], set()
    for valeur in context.flatten().values():
        if id(valeur) in vus:
            continue
        vus.add(id(valeur))
        if isinstance(valeur, forms.BaseForm) and valeur.is_bound:
            erreurs += _erreurs_du_formulaire(valeur)
        elif isinstance(valeur, forms.BaseFormSet) and valeur.is_bound:
            erreurs += [{"ancre": "", "libelle": "", "message": str(m)} for m in valeur.non_form_errors()]
            for sous_formulaire in valeur.forms:
                erreurs += _erreurs_du_formulaire(sous_formulaire)
    return {"erreurs": erreurs}
