"""The domain-free URLs of the API: ``/api/oauth/token``, the OpenAPI document and its documentation page, and the
domain-free ``transverses/v1`` services. Each domain's ``/cpro/…`` URLs are in its ``api/urls.py``, included by the
project's ``chorus/urls.py``; every path is Chorus Pro's (``/cpro/<domaine>/v1/<chemin>``)."""

from django.urls import path

from chorus.api import views_oauth, views_schema, views_transverses

urlpatterns = [
    path("api/oauth/token", views_oauth.token, name="api_token"),
    path("api/openapi.json", views_schema.Schema.as_view(), name="api_schema"),
    path("api/documentation", views_schema.documentation, name="api_documentation"),
    path("cpro/transverses/v1/health-check", views_transverses.HealthCheck.as_view(), name="api_health_check"),
    path("cpro/transverses/v1/recuperer/devises", views_transverses.RecupererDevises.as_view()),
    path("cpro/transverses/v1/recuperer/pays", views_transverses.RecupererPays.as_view()),
]
