from django.urls import path

from sollicitations import views, views_recues

urlpatterns = [
    path("sollicitations-emises/", views.synthese, name="sollicitations_emises"),
    path("sollicitations-emises/rechercher/", views.rechercher, name="rechercher_sollicitations_emises"),
    path("sollicitations-emises/rechercher/export.csv", views.exporter_emises, name="exporter_sollicitations_emises"),
    path(
        "sollicitations-emises/rechercher/export.xlsx",
        views.exporter_emises,
        {"format_export": "xlsx"},
        name="exporter_sollicitations_emises_xlsx",
    ),
    path("sollicitations-emises/saisir/", views.saisir, name="saisir_sollicitation"),
    path(
        "sollicitations-emises/structures-publiques/<str:siret>/",
        views.structure_publique,
        name="structure_publique_sollicitation",
    ),
    path("sollicitations-emises/<int:pk>/", views.detail, name="sollicitation_emise"),
    path("sollicitations-emises/<int:pk>/repondre/", views.repondre, name="repondre_sollicitation"),
    path("sollicitations-emises/<int:pk>/cloturer/", views.cloturer, name="cloturer_sollicitation"),
    path("sollicitations-emises/<int:pk>/renvoyer/", views.renvoyer, name="renvoyer_sollicitation"),
    path(
        "sollicitations-emises/<int:pk>/pieces-jointes/<int:piece_pk>/",
        views.piece_jointe,
        name="piece_jointe_sollicitation_emise",
    ),
    path("sollicitations-recues/", views_recues.synthese, name="sollicitations_recues"),
    path("sollicitations-recues/rechercher/", views_recues.rechercher, name="rechercher_sollicitations_recues"),
    path(
        "sollicitations-recues/rechercher/export.csv",
        views_recues.exporter_recues,
        name="exporter_sollicitations_recues",
    ),
    path(
        "sollicitations-recues/rechercher/export.xlsx",
        views_recues.exporter_recues,
        {"format_export": "xlsx"},
        name="exporter_sollicitations_recues_xlsx",
    ),
    path("sollicitations-recues/tableau-de-bord/", views_recues.tableau_de_bord, name="tableau_de_bord_sollicitations"),
    path("sollicitations-recues/statistiques/", views_recues.statistiques, name="statistiques_sollicitations"),
    path("sollicitations-recues/<int:pk>/", views_recues.detail, name="sollicitation_recue"),
    path("sollicitations-recues/<int:pk>/traiter/", views_recues.traiter, name="traiter_sollicitation"),
    path(
        "sollicitations-recues/<int:pk>/pieces-jointes/<int:piece_pk>/",
        views_recues.piece_jointe,
        name="piece_jointe_sollicitation_recue",
    ),
]
