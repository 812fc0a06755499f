"""``/cpro/structures/v1/…`` (included by the project's ``chorus/urls.py``)."""

from django.urls import path

from organisation.api import structures

urlpatterns = [
    path("cpro/structures/v1/rechercher", structures.Rechercher.as_view()),
    path("cpro/structures/v1/consulter", structures.Consulter.as_view()),
    path("cpro/structures/v1/rechercher/services", structures.RechercherServices.as_view()),
    path("cpro/structures/v1/consulter/service", structures.ConsulterService.as_view()),
]
