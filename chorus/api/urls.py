"""The two base URLs of Chorus Pro's API: ``/api/oauth/token`` and ``/cpro/<domaine>/v1/<chemin>``."""

from django.urls import path

from chorus.api import views_factures, views_flux, views_oauth, views_schema, views_structures, views_transverses

urlpatterns = [
    path("api/oauth/token", views_oauth.token, name="api_token"),
    path("api/openapi.json", views_schema.schema, name="api_schema"),
    path("cpro/transverses/v1/health-check", views_transverses.health_check, name="api_health_check"),
    path("cpro/transverses/v1/recuperer/devises", views_transverses.recuperer_devises),
    path("cpro/structures/v1/rechercher", views_structures.rechercher),
    path("cpro/structures/v1/consulter", views_structures.consulter),
    path("cpro/structures/v1/rechercher/services", views_structures.rechercher_services),
    path("cpro/structures/v1/consulter/service", views_structures.consulter_service),
    path("cpro/factures/v1/soumettre", views_factures.soumettre),
    path("cpro/factures/v1/deposer/flux", views_flux.deposer_flux),
    path("cpro/transverses/v1/consulterCRDetaille", views_flux.consulter_cr_detaille),
    path("cpro/transverses/v1/consulterCR", views_flux.consulter_cr),
    path("cpro/factures/v1/rechercher/fournisseur", views_factures.rechercher_fournisseur),
    path("cpro/factures/v1/consulter/fournisseur", views_factures.consulter_fournisseur),
    path("cpro/factures/v1/consulter/historique", views_factures.consulter_historique),
]
