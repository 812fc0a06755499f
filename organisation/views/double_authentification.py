"""« Double authentification »: the second step of the login (« Code de vérification »), the « Mon compte » page
(enable with a QR code, recovery codes, disable) and the support desk's reset. Rules: services.double_authentification.

The second step is reached before any login: after a right password, the account waits in the session
(``SESSION_CONNEXION``, a few minutes) and ``django.contrib.auth.login`` runs only once a code is accepted, then
``django_otp.login`` marks the session verified. So no page other than this step opens before it.
"""

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from chorus.limitation import adresse_client
from chorus.navigation import fil_ariane
from chorus.workflow import TransitionInterdite
from organisation import forms, queries, services
from organisation.enums import StatutDoubleAuthentification
from organisation.models import Utilisateur

SESSION_CONNEXION = "double_authentification_en_attente"
SESSION_SECRET = "double_authentification_cle"  # nosec B105  # a session key name, no secret
# What a history row says on the page (a regeneration of the codes says it in its comment).
EVENEMENTS_HISTORIQUE = {
    StatutDoubleAuthentification.ACTIVE: "Activée",
    StatutDoubleAuthentification.INACTIVE: "Désactivée",
    StatutDoubleAuthentification.REINITIALISEE: "Réinitialisée par le support",
}
# The time to type the code after the password; beyond, the password is asked again.
DUREE_ATTENTE = 5 * 60


def attendre_code(request, user, suivant: str) -> None:
    """After a right password, for an account with a second factor: nobody is logged in yet."""
    request.session[SESSION_CONNEXION] = {
        "utilisateur": user.pk,
        "backend": user.backend,
        "suivant": suivant,
        "depuis": time.time(),
    }


def _en_attente(request):
    attente = request.session.get(SESSION_CONNEXION)
    if not isinstance(attente, dict) or time.time() - attente.get("depuis", 0) > DUREE_ATTENTE:
        return None, None
    user = Utilisateur.objects.filter(pk=attente.get("utilisateur"), is_active=True).first()
    if user is None or not user.double_authentification_active or user.est_verrouille():
        return None, None
    return user, attente


def verification(request):
    """« Code de vérification »: the second step of the login."""
    user, attente = _en_attente(request)
    if user is None:
        request.session.pop(SESSION_CONNEXION, None)
        messages.info(request, "Votre connexion a expiré : saisissez à nouveau votre adresse et votre mot de passe.")
        return redirect("connexion")
    form = forms.CodeVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = adresse_client(request)
        try:
            appareil = services.verifier_code(user=user, code=form.cleaned_data["code"], ip=ip)
        except services.CodeRefuse as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[SESSION_CONNEXION]
            auth_login(request, user, backend=attente["backend"])
            otp_login(request, appareil)
            services.journaliser_connexion_verifiee(user=user, appareil=appareil, ip=ip)
            if isinstance(appareil, StaticDevice):
                restants = services.codes_de_secours_restants(user)
                messages.warning(
                    request,
                    f"Vous vous êtes connecté avec un code de secours : il vous en reste {restants}. "
                    "Générez-en de nouveaux depuis « Mon compte » si besoin.",
                )
            return redirect(attente["suivant"])
    return render(
        request,
        "organisation/connexion_verification.html",
        {"form": form, "breadcrumb_data": fil_ariane(courant="Code de vérification")},
    )


def _page_codes(request, codes, *, message: str):
    messages.success(request, message)
    reponse = render(
        request,
        "organisation/codes_de_secours.html",
        {
            "codes": codes,
            "breadcrumb_data": fil_ariane(
                ("Mon compte", reverse("mon_compte")),
                ("Double authentification", reverse("double_authentification")),
                courant="Codes de secours",
            ),
        },
    )
    add_never_cache_headers(reponse)  # the codes are in this answer only
    return reponse


@login_required
def double_authentification(request):
    """« Mon compte » › « Double authentification »."""
    user = request.user
    ip = adresse_client(request)
    action = request.POST.get("action") if request.method == "POST" else None
    form_activation = forms.CodeVerificationForm(request.POST if action == "activer" else None, prefix="activer")
    form_codes = forms.CodeVerificationForm(request.POST if action == "regenerer" else None, prefix="regenerer")
    form_desactivation = forms.CodeVerificationForm(
        request.POST if action == "desactiver" else None, prefix="desactiver"
    )
    for form in (form_activation, form_codes, form_desactivation):
        form.fields["code"].widget.attrs.pop("autofocus", None)
    try:
        if action == "activer" and form_activation.is_valid():
            cle = request.session.get(SESSION_SECRET)
            if not cle:
                return redirect("double_authentification")
            appareil, codes = services.activer_double_authentification(
                user=user, cle=cle, code=form_activation.cleaned_data["code"], ip=ip
            )
            del request.session[SESSION_SECRET]
            otp_login(request, appareil)  # this session proved the code: it stays open
            return _page_codes(request, codes, message="La double authentification est activée.")
        if action == "regenerer" and form_codes.is_valid():
            codes = services.regenerer_codes_de_secours(user=user, code=form_codes.cleaned_data["code"], ip=ip)
            return _page_codes(request, codes, message="Vos nouveaux codes de secours ont été générés.")
        if action == "desactiver" and form_desactivation.is_valid():
            services.desactiver_double_authentification(user=user, code=form_desactivation.cleaned_data["code"], ip=ip)
            messages.success(request, "La double authentification est désactivée.")
            return redirect("double_authentification")
    except services.CodeRefuse as exc:
        {"activer": form_activation, "regenerer": form_codes, "desactiver": form_desactivation}[action].add_error(
            "code", exc.message
        )
    except TransitionInterdite as exc:
        messages.error(request, exc.message)
        return redirect("double_authentification")

    contexte = {
        "requise": services.double_authentification_requise(user),
        "form_activation": form_activation,
        "form_codes": form_codes,
        "form_desactivation": form_desactivation,
        "historique": [
            {
                "date": ligne.created_at,
                "libelle": ligne.commentaire or EVENEMENTS_HISTORIQUE.get(ligne.statut, ligne.statut),
                "motif": ligne.motif,
            }
            for ligne in user.historique_double_authentification.all()[:10]
        ],
        "breadcrumb_data": fil_ariane(("Mon compte", reverse("mon_compte")), courant="Double authentification"),
    }
    if user.double_authentification_active:
        contexte["codes_restants"] = services.codes_de_secours_restants(user)
    else:
        cle = request.session.get(SESSION_SECRET) or services.nouveau_secret()
        request.session[SESSION_SECRET] = cle
        contexte["secret"] = services.secret_lisible(cle)
        # The SVG is drawn by the qrcode library from the portal's own URL: paths only, no text from a user.
        contexte["qr_code"] = mark_safe(services.qr_code_svg(services.url_configuration(user, cle)))  # nosec B308 B703
    reponse = render(request, "organisation/double_authentification.html", contexte)
    add_never_cache_headers(reponse)  # the secret of an enrolment is on this page
    return reponse


@login_required
def reinitialiser(request):
    """Support desk: reset the second factor of a user who lost it (history and security log)."""
    if not queries.est_agent_support(request.user):
        raise PermissionDenied
    form = forms.ReinitialiserDoubleAuthentificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reinitialiser_double_authentification(
                user=form.utilisateur, acting_user=request.user, motif=form.cleaned_data["motif"]
            )
        except TransitionInterdite as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"La double authentification de {form.utilisateur.email} est réinitialisée : "
                "l'utilisateur l'activera à nouveau depuis « Mon compte ».",
            )
            return redirect("reinitialiser_double_authentification")
    return render(
        request,
        "organisation/reinitialiser_double_authentification.html",
        {"form": form, "breadcrumb_data": fil_ariane(courant="Réinitialiser une double authentification")},
    )
