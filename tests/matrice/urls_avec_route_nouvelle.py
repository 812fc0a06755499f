"""The portal's URLconf plus one page nobody has decided about: ``test_une_route_ajoutee_sans_entree_est_signalee``
checks that the access matrix names it."""

from django.http import HttpResponse
from django.urls import path

from chorus.urls import urlpatterns as urlpatterns_du_portail

urlpatterns = [
    path("page-nouvelle/", lambda request: HttpResponse("Nouvelle"), name="page_nouvelle"),
    *urlpatterns_du_portail,
]
