from django.urls import path

from sollicitations.views import emises, recues

urlpatterns = [
    path("sollicitations-emises/", emises.synthese, name="sollicitations_emises"),
    path("sollicitations-emises/rechercher/", emises.rechercher, name="rechercher_sollicitations_emises"),
    path("sollicitations-emises/rechercher/export.csv", emises.exporter_emises, name="exporter_sollicitations_emises"),
    path(
        "sollicitations-emises/rechercher/export.xlsx",
        emises.exporter_emises,
        {"format_export": "xlsx"},
        name="exporter_sollicitations_emises_xlsx",
    ),
    path("sollicitations-emises/saisir/", emises.saisir, name="saisir_sollicitation"),
    path(
        "sollicitations-emises/structures-publiques/<str:siret>/",
        emises.structure_publique,
        name="structure_publique_sollicitation",
    ),
    path("sollicitations-emises/<int:pk>/", emises.detail, name="sollicitation_emise"),
    path("sollicitations-emises/<int:pk>/repondre/", emises.repondre, name="repondre_sollicitation"),
    path("sollicitations-emises/<int:pk>/cloturer/", emises.cloturer, name="cloturer_sollicitation"),
    path("sollicitations-emises/<int:pk>/renvoyer/", emises.renvoyer, name="renvoyer_sollicitation"),
    path(
        "sollicitations-emises/<int:pk>/pieces-jointes/<int:piece_pk>/",
        emises.piece_jointe,
        name="piece_jointe_sollicitation_emise",
    ),
    path("sollicitations-recues/", recues.synthese, name="sollicitations_recues"),
    path("sollicitations-recues/rechercher/", recues.rechercher, name="rechercher_sollicitations_recues"),
    path(
        "sollicitations-recues/rechercher/export.csv",
        recues.exporter_recues,
        name="exporter_sollicitations_recues",
    ),
    path(
        "sollicitations-recues/rechercher/export.xlsx",
        recues.exporter_recues,
        {"format_export": "xlsx"},
        name="exporter_sollicitations_recues_xlsx",
    ),
    path("sollicitations-recues/tableau-de-bord/", recues.tableau_de_bord, name="tableau_de_bord_sollicitations"),
    path("sollicitations-recues/statistiques/", recues.statistiques, name="statistiques_sollicitations"),
    path("sollicitations-recues/<int:pk>/", recues.detail, name="sollicitation_recue"),
    path("sollicitations-recues/<int:pk>/traiter/", recues.traiter, name="traiter_sollicitation"),
    path(
        "sollicitations-recues/<int:pk>/pieces-jointes/<int:piece_pk>/",
        recues.piece_jointe,
        name="piece_jointe_sollicitation_recue",
    ),
]
