from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from chorus.navigation import fil_ariane
from chorus.workflow import TransitionInterdite
from organisation import forms, services
from organisation.models import ModificationDifferee


class _FilAriane:
    titre = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumb_data"] = fil_ariane(courant=self.titre)
        context["titre"] = self.titre
        return context


class ConnexionView(_FilAriane, auth_views.LoginView):
    titre = "Se connecter"
    form_class = forms.ConnexionForm
    template_name = "organisation/connexion.html"
    redirect_authenticated_user = True


class MotDePasseOublieView(_FilAriane, auth_views.PasswordResetView):
    titre = "Mot de passe oublié"
    form_class = forms.MotDePasseOublieForm
    template_name = "organisation/mot_de_passe_oublie.html"
    email_template_name = "organisation/emails/mot_de_passe_oublie.txt"
    subject_template_name = "organisation/emails/mot_de_passe_oublie_sujet.txt"
    success_url = reverse_lazy("mot_de_passe_oublie_envoye")


class MotDePasseOublieEnvoyeView(_FilAriane, auth_views.PasswordResetDoneView):
    titre = "Mot de passe oublié"
    template_name = "organisation/mot_de_passe_oublie_envoye.html"


class NouveauMotDePasseView(_FilAriane, auth_views.PasswordResetConfirmView):
    titre = "Nouveau mot de passe"
    form_class = forms.NouveauMotDePasseForm
    template_name = "organisation/nouveau_mot_de_passe.html"
    success_url = reverse_lazy("nouveau_mot_de_passe_fait")


class NouveauMotDePasseFaitView(_FilAriane, auth_views.PasswordResetCompleteView):
    titre = "Mot de passe modifié"
    template_name = "organisation/nouveau_mot_de_passe_fait.html"


class ChangerMotDePasseView(auth_views.PasswordChangeView):
    form_class = forms.ChangerMotDePasseForm
    template_name = "organisation/changer_mot_de_passe.html"
    success_url = reverse_lazy("mon_compte")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumb_data"] = fil_ariane(("Mon compte", reverse("mon_compte")), courant="Mot de passe")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return response


@login_required
def mon_compte(request):
    user = request.user
    initial = {"prenom": user.prenom, "nom": user.nom, "telephone": user.telephone}
    form = forms.ModifierCompteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changements = form.changements(user)
        try:
            modification = services.demander_modification(
                objet=user, changements=changements, demandeur=user, description="Modification de mon compte"
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Votre demande de modification est enregistrée. Elle prendra effet le "
                f"{modification.effective_at.astimezone().strftime('%d/%m/%Y à %H:%M')}.",
            )
            return redirect("mon_compte")
    return render(
        request,
        "organisation/mon_compte.html",
        {
            "form": form,
            "en_attente": services.modifications_en_attente(user),
            "breadcrumb_data": fil_ariane(courant="Mon compte"),
        },
    )


@login_required
@require_POST
def annuler_modification(request, pk):
    # Only the requester's own pending changes are reachable: anything else is a 404, like a missing one.
    modification = get_object_or_404(ModificationDifferee.objects.filter(demandeur=request.user), pk=pk)
    try:
        services.annuler_modification(modification=modification, acting_user=request.user)
    except TransitionInterdite as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "La modification a été annulée.")
    return redirect("mon_compte")
