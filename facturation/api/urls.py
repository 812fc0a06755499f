"""``/cpro/factures/v1/…`` and the flux's ``/cpro/transverses/v1/consulterCR*`` (included by ``chorus/urls.py``)."""

from django.urls import path

from facturation.api import factures, fournisseur, valideur, vues_flux

urlpatterns = [
    path("cpro/factures/v1/soumettre", factures.Soumettre.as_view()),
    path("cpro/factures/v1/deposer/flux", vues_flux.DeposerFlux.as_view()),
    path("cpro/transverses/v1/consulterCRDetaille", vues_flux.ConsulterCRDetaille.as_view()),
    path("cpro/transverses/v1/consulterCR", vues_flux.ConsulterCR.as_view()),
    path("cpro/factures/v1/rechercher/fournisseur", factures.RechercherFournisseur.as_view()),
    path("cpro/factures/v1/consulter/fournisseur", factures.ConsulterFournisseur.as_view()),
    path("cpro/factures/v1/consulter/historique", factures.ConsulterHistorique.as_view()),
    # --- apif: the supplier's actions, the files sent ahead and the valideur (issue 12, part 3) ---
    path("cpro/factures/v1/deposer/pdf", fournisseur.DeposerPdf.as_view()),
    path("cpro/factures/v1/completer", fournisseur.Completer.as_view()),
    path("cpro/factures/v1/recycler", fournisseur.Recycler.as_view()),
    path("cpro/factures/v1/traiterRejet", fournisseur.TraiterRejet.as_view()),
    path("cpro/factures/v1/corriger/valideur/facture", fournisseur.CorrigerValideur.as_view()),
    path("cpro/transverses/v1/ajouter/fichier", fournisseur.AjouterFichier.as_view()),
    path("cpro/factures/v1/rechercher/valideur", valideur.RechercherValideur.as_view()),
    path("cpro/factures/v1/consulter/valideur", valideur.ConsulterValideur.as_view()),
    path("cpro/factures/v1/traiter/factureAValider", valideur.TraiterFactureAValider.as_view()),
]
