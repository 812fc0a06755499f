"""``/cpro/facturesTravaux/v1/…`` (included by the project's ``chorus/urls.py``)."""

from django.urls import path

from travaux.api import pieces

urlpatterns = [
    path("cpro/facturesTravaux/v1/soumettre", pieces.Soumettre.as_view()),
    path("cpro/facturesTravaux/v1/rechercher", pieces.Rechercher.as_view()),
    path("cpro/facturesTravaux/v1/consulter", pieces.Consulter.as_view()),
    path("cpro/facturesTravaux/v1/consulter/dossierfacturation", pieces.ConsulterDossier.as_view()),
    path("cpro/facturesTravaux/v1/telecharger", pieces.Telecharger.as_view()),
    path("cpro/facturesTravaux/v1/traiter", pieces.Traiter.as_view()),
]
