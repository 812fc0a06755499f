from django.urls import path

from facturation.views import depot, destinataires, emises, flux, listes, recues, valideur, verification

urlpatterns = [
    # « Raccordements » (organisation) > « Suivi des flux »
    path("raccordements/flux/", flux.suivi_flux, name="raccordements_flux"),
    path("raccordements/flux/<str:numero>/compte-rendu.pdf", flux.compte_rendu_flux, name="compte_rendu_flux"),
    path("raccordements/flux/<str:numero>/fichier", flux.fichier_flux, name="fichier_flux"),
    path("factures-emises/", emises.synthese, name="factures_emises"),
    path("factures-emises/rechercher/", emises.rechercher, name="rechercher_factures"),
    path("factures-emises/rechercher/export.csv", emises.exporter, name="exporter_factures"),
    path(
        "factures-emises/rechercher/export.xlsx",
        emises.exporter,
        {"format_export": "xlsx"},
        name="exporter_factures_xlsx",
    ),
    path("factures-emises/tableau-de-bord/", emises.tableau_de_bord, name="tableau_de_bord_factures"),
    path("factures-emises/saisir/", emises.saisir, name="saisir_facture"),
    path("factures-emises/destinataires/", destinataires.resultats, name="rechercher_destinataires"),
    path("factures-emises/destinataires/services/", destinataires.services, name="services_destinataire"),
    path("factures-emises/calculer/", emises.calculer, name="calculer_montants"),
    path("factures-emises/deposer/", depot.deposer, name="deposer_facture"),
    path("factures-emises/<int:pk>/modifier/", emises.saisir, name="modifier_brouillon"),
    path("factures-emises/<int:pk>/confirmer/", emises.confirmer_envoi, name="confirmer_envoi"),
    path("factures-emises/<int:pk>/recapitulatif/", emises.recapitulatif, name="recapitulatif"),
    path("factures-emises/<int:pk>/", emises.suivi, name="facture_emise"),
    path("factures-emises/<int:pk>/facture.pdf", emises.telecharger, name="telecharger_facture"),
    path("factures-emises/<int:pk>/certificat-de-depot.pdf", emises.certificat, name="certificat_depot"),
    path("factures-emises/<int:pk>/pieces-jointes/", emises.ajouter_piece_jointe, name="ajouter_piece_jointe"),
    path(
        "factures-emises/<int:pk>/pieces-jointes/<int:piece_pk>/",
        emises.telecharger_piece_jointe,
        name="telecharger_piece_jointe",
    ),
    path("factures-emises/<int:pk>/traiter-le-rejet/", emises.traiter_rejet, name="traiter_rejet"),
    path("factures-emises/<int:pk>/completer/", emises.completer, name="completer_facture"),
    path("factures-emises/<int:pk>/recycler/", emises.recycler, name="recycler_facture"),
    path("factures-emises/<int:pk>/corriger-le-valideur/", emises.corriger_valideur, name="corriger_valideur"),
    path("factures-a-valider/", valideur.liste, name="factures_a_valider"),
    path("factures-a-valider/<int:pk>/", valideur.detail, name="facture_a_valider"),
    path("factures-a-valider/<int:pk>/valider/", valideur.valider, name="valider_facture_a_valider"),
    path("factures-a-valider/<int:pk>/refuser/", valideur.refuser, name="refuser_facture_a_valider"),
    path("factures-a-valider/<int:pk>/facture.pdf", valideur.telecharger, name="telecharger_facture_a_valider"),
    path(
        "factures-a-valider/<int:pk>/pieces-jointes/<int:piece_pk>/",
        valideur.telecharger_piece_jointe,
        name="telecharger_piece_jointe_a_valider",
    ),
    path("factures-recues/", recues.synthese, name="factures_recues"),
    path("factures-recues/rechercher/", recues.rechercher, name="rechercher_factures_recues"),
    path("factures-recues/rechercher/export.csv", recues.exporter, name="exporter_factures_recues"),
    path(
        "factures-recues/rechercher/export.xlsx",
        recues.exporter,
        {"format_export": "xlsx"},
        name="exporter_factures_recues_xlsx",
    ),
    path("factures-recues/tableau-de-bord/", recues.tableau_de_bord, name="tableau_de_bord_factures_recues"),
    path("factures-recues/traiter-la-selection/", recues.traiter_en_masse, name="traiter_factures_recues_en_masse"),
    path("factures-recues/<int:pk>/", recues.detail, name="facture_recue"),
    path("factures-recues/<int:pk>/traiter/<str:statut>/", recues.traiter, name="traiter_facture_recue"),
    path("factures-recues/<int:pk>/facture.pdf", recues.telecharger, name="telecharger_facture_recue"),
    path(
        "factures-recues/<int:pk>/pieces-jointes/<int:piece_pk>/",
        recues.telecharger_piece_jointe,
        name="telecharger_piece_jointe_recue",
    ),
    path("verifier-un-depot/", verification.verifier_depot, name="verifier_depot"),
]

# The tabs both invoice applications share (``facturation.views.listes``), one URL name per side so that the tab
# bars (``chorus.navigation.Onglet``) reverse them: ``liste_fiscale_emises``, ``archives_recues``…
for _cote in ("emises", "recues"):
    urlpatterns += [
        path(
            f"factures-{_cote}/informations-du-fournisseur/",
            listes.informations_fournisseur,
            {"cote": _cote},
            name=f"informations_fournisseur_{_cote}",
        ),
        path(f"factures-{_cote}/liste-fiscale/", listes.liste_fiscale, {"cote": _cote}, name=f"liste_fiscale_{_cote}"),
        path(
            f"factures-{_cote}/liste-fiscale/export.csv",
            listes.exporter_liste_fiscale,
            {"cote": _cote},
            name=f"exporter_liste_fiscale_{_cote}",
        ),
        path(f"factures-{_cote}/archives/", listes.archives, {"cote": _cote}, name=f"archives_{_cote}"),
        path(
            f"factures-{_cote}/telecharger-la-selection/",
            listes.telecharger_selection,
            {"cote": _cote},
            name=f"telecharger_selection_{_cote}",
        ),
    ]
