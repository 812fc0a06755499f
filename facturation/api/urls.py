"""``/cpro/factures/v1/…`` and the flux's ``/cpro/transverses/v1/consulterCR*`` (included by ``chorus/urls.py``)."""

from django.urls import path

from facturation.api import factures, vues_flux

urlpatterns = [
    path("cpro/factures/v1/soumettre", factures.Soumettre.as_view()),
    path("cpro/factures/v1/deposer/flux", vues_flux.DeposerFlux.as_view()),
    path("cpro/transverses/v1/consulterCRDetaille", vues_flux.ConsulterCRDetaille.as_view()),
    path("cpro/transverses/v1/consulterCR", vues_flux.ConsulterCR.as_view()),
    path("cpro/factures/v1/rechercher/fournisseur", factures.RechercherFournisseur.as_view()),
    path("cpro/factures/v1/consulter/fournisseur", factures.ConsulterFournisseur.as_view()),
    path("cpro/factures/v1/consulter/historique", factures.ConsulterHistorique.as_view()),
]
