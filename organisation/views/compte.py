from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.limitation import adresse_client
from chorus.navigation import fil_ariane
from chorus.securite import journaliser
from chorus.workflow import TransitionInterdite
from organisation import forms, services
from organisation.models import ModificationDifferee, Utilisateur
from organisation.views.double_authentification import attendre_code
from organisation.views.formulaires import page_formulaire


class _FilAriane:
    titre = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumb_data"] = fil_ariane(courant=self.titre)
        context["titre"] = self.titre
        return context


SESSION_ACTIVATION = "activation_a_renvoyer"


class ConnexionView(_FilAriane, auth_views.LoginView):
    titre = "Se connecter"
    form_class = forms.ConnexionForm
    template_name = "organisation/connexion.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        # Only an account whose right password was typed is told that it awaits activation (see the form): that
        # proof is kept in the session so that « Renvoyer le courriel d'activation » needs no address to be typed.
        if form.has_error("__all__", "inactive"):
            self.request.session[SESSION_ACTIVATION] = form.compte_inactif.pk
        return super().form_invalid(form)

    def form_valid(self, form):
        self.request.session.pop(SESSION_ACTIVATION, None)
        user = form.get_user()
        if user.double_authentification_active:
            # Nobody is logged in until the code is accepted (« Code de vérification »).
            attendre_code(self.request, user, self.get_success_url())
            return redirect("connexion_verification")
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activation_a_renvoyer"] = SESSION_ACTIVATION in self.request.session
        return context


def _limite_atteinte(request, limite, evenement) -> bool:
    """Count one request of this client address against ``limite``; True (logged) beyond it."""
    ip = adresse_client(request)
    if not limite.depassee(ip):
        return False
    journaliser(evenement, ip=ip, chemin=request.path)
    return True


@require_POST
def renvoyer_activation(request):
    if _limite_atteinte(request, services.LIMITE_ACTIVATION_IP, "activation.limite"):
        messages.error(
            request, forms.MESSAGE_LIMITE_DEMANDES.format(minutes=services.LIMITE_ACTIVATION_IP.duree_minutes)
        )
        return redirect("connexion")
    pk = request.session.pop(SESSION_ACTIVATION, None)
    user = Utilisateur.objects.filter(pk=pk).first() if pk else None
    if user is None or user.is_active:
        messages.info(request, "Connectez-vous avec votre adresse électronique et votre mot de passe.")
    elif services.renvoyer_activation(user):
        messages.success(request, f"Un nouveau courriel d'activation a été envoyé à {user.email}.")
    else:
        messages.warning(
            request, "Un courriel d'activation vient déjà de vous être envoyé : patientez quelques minutes."
        )
    return redirect("connexion")


class MotDePasseOublieView(_FilAriane, auth_views.PasswordResetView):
    titre = "Mot de passe oublié"
    form_class = forms.MotDePasseOublieForm
    template_name = "organisation/mot_de_passe_oublie.html"
    email_template_name = "organisation/emails/mot_de_passe_oublie.txt"
    subject_template_name = "organisation/emails/mot_de_passe_oublie_sujet.txt"
    success_url = reverse_lazy("mot_de_passe_oublie_envoye")

    def form_valid(self, form):
        if _limite_atteinte(self.request, services.LIMITE_MOT_DE_PASSE_OUBLIE_IP, "mot_de_passe.limite"):
            minutes = services.LIMITE_MOT_DE_PASSE_OUBLIE_IP.duree_minutes
            form.add_error(None, forms.MESSAGE_LIMITE_DEMANDES.format(minutes=minutes))
            return self.form_invalid(form)
        return super().form_valid(form)


class MotDePasseOublieEnvoyeView(_FilAriane, auth_views.PasswordResetDoneView):
    titre = "Mot de passe oublié"
    template_name = "organisation/mot_de_passe_oublie_envoye.html"


class NouveauMotDePasseView(_FilAriane, auth_views.PasswordResetConfirmView):
    titre = "Nouveau mot de passe"
    form_class = forms.NouveauMotDePasseForm
    template_name = "organisation/nouveau_mot_de_passe.html"
    success_url = reverse_lazy("nouveau_mot_de_passe_fait")

    def get_user(self, uidb64):
        # A technical account has no password of the portal: no link resets one, even a forged or an old one.
        user = super().get_user(uidb64)
        if user is not None and Utilisateur.objects.filter(pk=user.pk, compte_technique__isnull=False).exists():
            return None
        return user


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
            "en_echec": services.modifications_non_appliquees_de(user).select_related("demandeur", "content_type"),
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
    suivant = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(suivant)
    return redirect("mon_compte")


def creer_compte(request):
    """« Créer un compte »: the form, then the case-specific message (see services.creer_compte)."""
    form = forms.CreerCompteForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _limite_atteinte(request, services.LIMITE_ACTIVATION_IP, "activation.limite")
    ):
        minutes = services.LIMITE_ACTIVATION_IP.duree_minutes
        form.add_error(None, forms.MESSAGE_LIMITE_DEMANDES.format(minutes=minutes))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The form's fields are the service's arguments, but for the password typed twice.
            identite = {champ: valeur for champ, valeur in data.items() if champ not in ("password1", "password2")}
            user, cas = services.creer_compte(password=data["password1"], **identite)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            request.session["compte_cree"] = {"email": user.email, "cas": cas}
            return redirect("compte_cree")
    return page_formulaire(request, "organisation/creer_compte.html", form, courant="Créer un compte")


def compte_cree(request):
    info = request.session.get("compte_cree")
    if not info:
        return redirect("creer_compte")
    return render(
        request,
        "organisation/compte_cree.html",
        {"info": info, "cas": services.CasCreation, "breadcrumb_data": fil_ariane(courant="Compte créé")},
    )


def activer_compte(request, uidb64, token):
    user = services.activer_compte(uidb64=uidb64, token=token)
    return render(
        request,
        "organisation/compte_active.html",
        {"user_active": user, "breadcrumb_data": fil_ariane(courant="Activation du compte")},
        status=200 if user else 400,
    )
