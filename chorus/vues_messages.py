"""« Mes messages »: the user's own notifications (never anyone else's: another user's message is a 404), read
when opened, marked as read one by one or all at once, and the choice, per type, to receive them also by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from chorus import messagerie, navigation
from chorus.formulaires import FiltreMessagesForm, PreferencesMessagesForm, SelectionMessagesForm
from chorus.pagination import page_par_id


def _fil(courant: str, *liens):
    return navigation.fil_ariane(("Domaines", reverse("domaines")), *liens, courant=courant)


@login_required
@require_GET
def mes_messages(request):
    filtre = FiltreMessagesForm(request.GET)
    non_lus = filtre.non_lus_seulement()
    lignes, suivante = page_par_id(
        messagerie.messages_de(request.user, non_lus=non_lus).only("pk", "sujet", "evenement", "created_at", "lu_le"),
        request.GET.get("apres", ""),
    )
    for message in lignes:
        message.type_libelle = messagerie.libelle_type(message.evenement)
    return render(
        request,
        "chorus/mes_messages.html",
        {
            "titre": "Mes messages",
            "lignes": SelectionMessagesForm().lignes(lignes),
            "suivante": suivante,
            "non_lus": non_lus,
            "filtre": filtre,
            "breadcrumb_data": _fil("Mes messages"),
        },
    )


@login_required
@require_GET
def message(request, pk):
    """Opening a message marks it as read."""
    objet = get_object_or_404(messagerie.messages_de(request.user), pk=pk)
    if objet.lu_le is None:
        messagerie.marquer_lus(request.user, [objet.pk])
        objet.lu_le = timezone.now()
    return render(
        request,
        "chorus/message.html",
        {
            "titre": objet.sujet,
            "message": objet,
            "type_libelle": messagerie.libelle_type(objet.evenement),
            "breadcrumb_data": _fil(objet.sujet, ("Mes messages", reverse("mes_messages"))),
        },
    )


@login_required
@require_POST
def marquer_messages_lus(request):
    """« Marquer comme lu » (the selected messages) or « Tout marquer comme lu »."""
    form = SelectionMessagesForm(request.POST)
    if not form.is_valid():
        for erreur in form.non_field_errors():
            messages.error(request, erreur)
        return redirect("mes_messages")
    if form.cleaned_data["tout"]:
        nombre = messagerie.marquer_lus(request.user)
    else:
        nombre = messagerie.marquer_lus(request.user, form.cleaned_data["selection"])
    if nombre:
        s = "s" if nombre > 1 else ""
        messages.success(request, f"{nombre} message{s} marqué{s} comme lu{s}.")
    else:
        messages.info(request, "Aucun message non lu dans la sélection.")
    return redirect("mes_messages")


@login_required
def preferences_messages(request):
    """For each type of message, « Recevoir aussi par courriel » (checked: yes, the default)."""
    types = messagerie.types_messages()
    if request.method == "POST":
        form = PreferencesMessagesForm(request.POST, types=types)
        if form.is_valid():
            messagerie.enregistrer_preferences(request.user, form.preferences())
            messages.success(request, "Vos préférences ont été enregistrées.")
            return redirect("preferences_messages")
    else:
        preferences = messagerie.preferences_de(request.user)
        form = PreferencesMessagesForm(
            initial={"par_courriel": [c for c, oui in preferences.items() if oui]}, types=types
        )
    return render(
        request,
        "chorus/preferences_messages.html",
        {
            "titre": "Préférences de mes messages",
            "groupes": form.groupes(),
            "breadcrumb_data": _fil("Préférences", ("Mes messages", reverse("mes_messages"))),
        },
    )
