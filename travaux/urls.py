from django.urls import path

from travaux.views import depot, listes, pieces

urlpatterns = [
    path("factures-travaux/", listes.synthese, name="travaux_synthese"),
    path("factures-travaux/rechercher/", listes.rechercher, name="travaux_rechercher"),
    path("factures-travaux/rechercher/export.csv", listes.exporter, name="travaux_exporter"),
    path(
        "factures-travaux/rechercher/export.xlsx",
        listes.exporter,
        {"format_export": "xlsx"},
        name="travaux_exporter_xlsx",
    ),
    path("factures-travaux/tableau-de-bord/", listes.tableau_de_bord, name="travaux_tableau_de_bord"),
    path("factures-travaux/deposer/", depot.deposer, name="travaux_deposer"),
    path("factures-travaux/structures/", depot.chercher_structures, name="travaux_structures"),
    path("factures-travaux/pieces/<int:pk>/confirmer/", depot.confirmer, name="travaux_confirmer"),
    path("factures-travaux/pieces/<int:pk>/certificat-de-depot.pdf", depot.certificat, name="travaux_certificat"),
    path("factures-travaux/pieces/<int:pk>/", pieces.suivi, name="travaux_piece"),
    path("factures-travaux/pieces/<int:pk>/piece.pdf", pieces.telecharger, name="travaux_telecharger"),
    path("factures-travaux/pieces/<int:pk>/visualiser.pdf", pieces.visualiser, name="travaux_visualiser"),
    path(
        "factures-travaux/pieces/<int:pk>/pieces-jointes/<int:pj>/",
        pieces.telecharger_piece_jointe,
        name="travaux_piece_jointe",
    ),
    path("factures-travaux/pieces/<int:pk>/<slug:action>/", pieces.agir, name="travaux_action"),
    path("factures-travaux/dossiers/<int:pk>/", pieces.dossier, name="travaux_dossier"),
]
