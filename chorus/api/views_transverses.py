"""The domain-free ``/cpro/transverses/v1/…`` services: health-check and the reference lists that read no domain
data (currencies: the ISO 4217 table). The domain's lists are in its ``api`` package (``facturation.api.references``,
``organisation.api.transverses``); the flux's ``consulterCR*`` are ``facturation.api.vues_flux``."""

import iso4217
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from chorus.api.champs import CodeLangue
from chorus.api.kit import succes
from chorus.api.protocole import ServiceCpro, VueCpro, documenter

# ISO 4217 as published (the table the factur-x package already depends on), sorted by code: the currencies an
# invoice may be written in (BT-5). Labels are the standard's names.
DEVISES = sorted((devise.code, devise.currency_name) for devise in iso4217.Currency)


@extend_schema(
    summary="Disponibilité",
    request=None,
    responses={200: inline_serializer("Disponibilite", {
        "body": serializers.CharField(), "statusCode": serializers.CharField(),
        "statusCodeValue": serializers.IntegerField(),
    })},
)  # fmt: skip
class HealthCheck(VueCpro):
    """``GET``, no authentication; ignores any body (one client sends ``null``, another a JSON content type and no
    body)."""

    methode = "GET"

    def get(self, request):
        return Response({"body": "Chorus Pro disponible", "statusCode": "OK", "statusCodeValue": 200})


@documenter("Devises (ISO 4217)", CodeLangue)
class RecupererDevises(ServiceCpro):
    serialiseur = CodeLangue

    def post(self, request):
        self.corps()
        return succes(listeDevises=[{"codeDevise": code, "libelleDevise": libelle} for code, libelle in DEVISES])
