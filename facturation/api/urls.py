"""``/cpro/factures/v1/…``, the flux's ``/cpro/transverses/v1/consulterCR*`` and the invoicing reference lists
``/cpro/transverses/v1/recuperer/…`` (included by ``chorus/urls.py``)."""

from django.urls import path

from facturation.api import bac_a_sable, factures, fournisseur, recipiendaire, references, valideur, vues_flux

urlpatterns = [
    path("cpro/factures/v1/soumettre", factures.Soumettre.as_view()),
    path("cpro/factures/v1/deposer/flux", vues_flux.DeposerFlux.as_view()),
    path("cpro/transverses/v1/consulterCRDetaille", vues_flux.ConsulterCRDetaille.as_view()),
    path("cpro/transverses/v1/consulterCR", vues_flux.ConsulterCR.as_view()),
    path("cpro/factures/v1/rechercher/fournisseur", factures.RechercherFournisseur.as_view()),
    path("cpro/factures/v1/consulter/fournisseur", factures.ConsulterFournisseur.as_view()),
    path("cpro/factures/v1/consulter/historique", factures.ConsulterHistorique.as_view()),
    path("cpro/transverses/v1/recuperer/tauxtva", references.RecupererTauxTva.as_view()),
    path("cpro/transverses/v1/recuperer/modereglements", references.RecupererModesReglement.as_view()),
    path("cpro/transverses/v1/recuperer/modedepot", references.RecupererModesDepot.as_view()),
    path("cpro/transverses/v1/recuperer/formatflux", references.RecupererFormatsFlux.as_view()),
    path("cpro/transverses/v1/recuperer/cadrefacturation", references.RecupererCadresFacturation.as_view()),
    path("cpro/transverses/v1/recuperer/typedp", references.RecupererTypesDp.as_view()),
    path("cpro/transverses/v1/recuperer/etat/typedp", references.RecupererEtatsTypeDp.as_view()),
    path("cpro/transverses/v1/recuperer/etats/traitement", references.RecupererEtatsTraitement.as_view()),
    path("cpro/transverses/v1/recuperer/typespj", references.RecupererTypesPj.as_view()),
    # The sandbox's own service (not Chorus Pro's): refused unless CHORUS_BAC_A_SABLE.
    path("cpro/bacasable/v1/forcerStatut", bac_a_sable.ForcerStatut.as_view()),
]

# --- Recipient side (« Factures reçues »): facturation/api/recipiendaire.py ---------------------------------------
urlpatterns += [
    path("cpro/factures/v1/rechercher/recipiendaire", recipiendaire.RechercherRecipiendaire.as_view()),
    path("cpro/factures/v1/consulter/recipiendaire", recipiendaire.ConsulterRecipiendaire.as_view()),
    path("cpro/factures/v1/traiter/recue", recipiendaire.TraiterRecue.as_view()),
    path("cpro/factures/v1/telecharger/groupe", recipiendaire.TelechargerGroupe.as_view()),
]

# --- Supplier's actions, files sent ahead and the valideur: facturation/api/fournisseur.py, valideur.py ---------
urlpatterns += [
    path("cpro/factures/v1/deposer/pdf", fournisseur.DeposerPdf.as_view()),
    path("cpro/factures/v1/completer", fournisseur.Completer.as_view()),
    path("cpro/factures/v1/recycler", fournisseur.Recycler.as_view()),
    path("cpro/factures/v1/traiterRejet", fournisseur.TraiterRejet.as_view()),
    path("cpro/factures/v1/corriger/valideur/facture", fournisseur.CorrigerValideur.as_view()),
    path("cpro/transverses/v1/ajouter/fichier", fournisseur.AjouterFichier.as_view()),
    path("cpro/factures/v1/rechercher/valideur", valideur.RechercherValideur.as_view()),
    path("cpro/factures/v1/consulter/valideur", valideur.ConsulterValideur.as_view()),
    path("cpro/factures/v1/traiter/factureAValider", valideur.TraiterFactureAValider.as_view()),
    path("cpro/transverses/v1/recuperer/motifs/refus/Facture/AValider", valideur.RecupererMotifsRefus.as_view()),
    path("cpro/factures/v1/recuperer/statutsFactureVisibles/valideur", valideur.RecupererStatutsVisibles.as_view()),
]
