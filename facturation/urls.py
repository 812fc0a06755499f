from django.urls import path

from facturation import views, views_depot, views_recues, views_valideur, views_verification

urlpatterns = [
    path("factures-emises/", views.synthese, name="factures_emises"),
    path("factures-emises/rechercher/", views.rechercher, name="rechercher_factures"),
    path("factures-emises/rechercher/export.csv", views.exporter, name="exporter_factures"),
    path(
        "factures-emises/rechercher/export.xlsx",
        views.exporter,
        {"format_export": "xlsx"},
        name="exporter_factures_xlsx",
    ),
    path("factures-emises/tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord_factures"),
    path("factures-emises/saisir/", views.saisir, name="saisir_facture"),
    path("factures-emises/calculer/", views.calculer, name="calculer_montants"),
    path("factures-emises/deposer/", views_depot.deposer, name="deposer_facture"),
    path("factures-emises/<int:pk>/modifier/", views.saisir, name="modifier_brouillon"),
    path("factures-emises/<int:pk>/confirmer/", views.confirmer_envoi, name="confirmer_envoi"),
    path("factures-emises/<int:pk>/recapitulatif/", views.recapitulatif, name="recapitulatif"),
    path("factures-emises/<int:pk>/", views.suivi, name="facture_emise"),
    path("factures-emises/<int:pk>/facture.pdf", views.telecharger, name="telecharger_facture"),
    path("factures-emises/<int:pk>/certificat-de-depot.pdf", views.certificat, name="certificat_depot"),
    path("factures-emises/<int:pk>/pieces-jointes/", views.ajouter_piece_jointe, name="ajouter_piece_jointe"),
    path(
        "factures-emises/<int:pk>/pieces-jointes/<int:piece_pk>/",
        views.telecharger_piece_jointe,
        name="telecharger_piece_jointe",
    ),
    path("factures-emises/<int:pk>/traiter-le-rejet/", views.traiter_rejet, name="traiter_rejet"),
    path("factures-emises/<int:pk>/completer/", views.completer, name="completer_facture"),
    path("factures-emises/<int:pk>/recycler/", views.recycler, name="recycler_facture"),
    path("factures-emises/<int:pk>/corriger-le-valideur/", views.corriger_valideur, name="corriger_valideur"),
    path("factures-a-valider/", views_valideur.liste, name="factures_a_valider"),
    path("factures-a-valider/<int:pk>/", views_valideur.detail, name="facture_a_valider"),
    path("factures-a-valider/<int:pk>/valider/", views_valideur.valider, name="valider_facture_a_valider"),
    path("factures-a-valider/<int:pk>/refuser/", views_valideur.refuser, name="refuser_facture_a_valider"),
    path("factures-a-valider/<int:pk>/facture.pdf", views_valideur.telecharger, name="telecharger_facture_a_valider"),
    path(
        "factures-a-valider/<int:pk>/pieces-jointes/<int:piece_pk>/",
        views_valideur.telecharger_piece_jointe,
        name="telecharger_piece_jointe_a_valider",
    ),
    path("factures-recues/", views_recues.synthese, name="factures_recues"),
    path("factures-recues/rechercher/", views_recues.rechercher, name="rechercher_factures_recues"),
    path("factures-recues/rechercher/export.csv", views_recues.exporter, name="exporter_factures_recues"),
    path(
        "factures-recues/rechercher/export.xlsx",
        views_recues.exporter,
        {"format_export": "xlsx"},
        name="exporter_factures_recues_xlsx",
    ),
    path("factures-recues/tableau-de-bord/", views_recues.tableau_de_bord, name="tableau_de_bord_factures_recues"),
    path(
        "factures-recues/traiter-la-selection/", views_recues.traiter_en_masse, name="traiter_factures_recues_en_masse"
    ),
    path("factures-recues/<int:pk>/", views_recues.detail, name="facture_recue"),
    path("factures-recues/<int:pk>/traiter/<str:statut>/", views_recues.traiter, name="traiter_facture_recue"),
    path("factures-recues/<int:pk>/facture.pdf", views_recues.telecharger, name="telecharger_facture_recue"),
    path(
        "factures-recues/<int:pk>/pieces-jointes/<int:piece_pk>/",
        views_recues.telecharger_piece_jointe,
        name="telecharger_piece_jointe_recue",
    ),
    path("verifier-un-depot/", views_verification.verifier_depot, name="verifier_depot"),
]
