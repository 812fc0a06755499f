"""« Raccordements » > « Suivi des flux »: every flux of the structures whose raccordements the user works with
(deposited by the API or here), newest first, keyset-paginated, each with its compte rendu as a PDF (the document
that ``consulterCR`` returns in ``fichierCR``); and the deposit of a flux, processed by the same task as the API's
``deposer/flux``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from chorus.fichiers import telechargement
from chorus.navigation import fil_ariane
from chorus.pages import trouve_ou_404
from chorus.pagination import page_par_id
from facturation import compte_rendu, forms, queries
from facturation.api.vues_flux import TAILLE_MAX_FLUX, creer_flux
from facturation.models import FluxDepot
from organisation import queries as org_queries
from organisation.enums import Niveau

BADGES = {
    FluxDepot.Etat.RECU: "fr-badge--info",
    FluxDepot.Etat.EN_COURS: "fr-badge--info",
    FluxDepot.Etat.INTEGRE: "fr-badge--success",
    FluxDepot.Etat.INTEGRE_PARTIEL: "fr-badge--warning",
    FluxDepot.Etat.REJETE: "fr-badge--error",
}


@login_required
def suivi_flux(request):
    if not org_queries.structures_raccordees_par(request.user, Niveau.CONSULTATION).exists():
        raise PermissionDenied(
            "L'application « Raccordements » est réservée aux gestionnaires de structure et aux utilisateurs "
            "rattachés à toute la structure qui ont le profil « Raccordements »."
        )
    deposantes = queries.structures_deposant_flux(request.user)
    form = forms.DeposerFluxForm(
        request.POST or None, request.FILES or None, structures=deposantes, taille_max=TAILLE_MAX_FLUX
    )
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        flux = creer_flux(
            structure=form.cleaned_data["structure"],
            depose_par=request.user,
            syntaxe=form.cleaned_data["syntaxe"],
            nom_fichier=fichier.name,
            contenu=fichier.read(),
        )
        messages.success(
            request,
            f"Le flux {flux.numero} est déposé : il est en cours de traitement. Son état et son compte rendu "
            "s'affichent ci-dessous.",
        )
        return redirect("raccordements_flux")
    lignes, suivante = page_par_id(queries.flux_de(request.user), request.GET.get("apres", ""))
    for flux in lignes:
        flux.badge = BADGES.get(flux.etat, "")
        flux.nombre_erreurs = len(flux.erreurs_dp or []) + len(flux.erreurs_techniques or [])
    return render(
        request,
        "facturation/suivi_flux.html",
        {
            "flux": lignes,
            "suivante": suivante,
            "form": form,
            "peut_deposer": deposantes.exists(),
            "breadcrumb_data": fil_ariane(
                ("Raccordements", reverse("raccordements_comptes")), courant="Suivi des flux"
            ),
        },
    )


def _flux_ou_404(user, numero) -> FluxDepot:
    return trouve_ou_404(queries.flux_de(user).filter(numero=numero).first(), "Flux introuvable.")


@login_required
def fichier_flux(request, numero):
    """The file as deposited (one invoice or the .tar.gz lot)."""
    flux = _flux_ou_404(request.user, numero)
    return telechargement(flux.fichier.open("rb"), nom=flux.nom_fichier, content_type="application/octet-stream")


@login_required
def compte_rendu_flux(request, numero):
    flux = _flux_ou_404(request.user, numero)
    return telechargement(
        compte_rendu.generer_cr_pdf(flux), nom=f"compte-rendu-{flux.numero}.pdf", content_type="application/pdf"
    )
