from django.contrib.auth import views as auth_views
from django.urls import path

from organisation import views

urlpatterns = [
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path("mot-de-passe-oublie/", views.MotDePasseOublieView.as_view(), name="mot_de_passe_oublie"),
    path(
        "mot-de-passe-oublie/envoye/",
        views.MotDePasseOublieEnvoyeView.as_view(),
        name="mot_de_passe_oublie_envoye",
    ),
    path("mot-de-passe/<uidb64>/<token>/", views.NouveauMotDePasseView.as_view(), name="nouveau_mot_de_passe"),
    path("mot-de-passe/modifie/", views.NouveauMotDePasseFaitView.as_view(), name="nouveau_mot_de_passe_fait"),
    path("mon-compte/", views.mon_compte, name="mon_compte"),
    path("mon-compte/mot-de-passe/", views.ChangerMotDePasseView.as_view(), name="changer_mot_de_passe"),
    path("mon-compte/modifications/<int:pk>/annuler/", views.annuler_modification, name="annuler_modification"),
]
