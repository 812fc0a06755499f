"""The domain-free ``/cpro/transverses/v1/…`` services: health-check and the reference lists that read no domain
data (currencies and countries: the ISO 4217 and ISO 3166 tables, in French). The domain's lists are in its
``api`` package (``facturation.api.references``, ``organisation.api.transverses``); the flux's ``consulterCR*``
are ``facturation.api.vues_flux``."""

import gettext

import pycountry
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from chorus.api.champs import CodeLangue
from chorus.api.protocole import VueCpro, liste_de_reference

# ISO 4217 (pycountry's table), sorted by code: the currencies an invoice may be written in (BT-5), named in
# French (the standard's translations that pycountry ships).
_FRANCAIS = gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["fr"])
DEVISES = sorted((devise.alpha_3, _FRANCAIS.gettext(devise.name)) for devise in pycountry.currencies)
# ISO 3166-1 alpha-2, the codes of a structure's ``code_pays`` (``adresseCodePays`` of structures/v1/rechercher),
# named in French (« France », the default ``libelle_pays``).
_PAYS_FRANCAIS = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
PAYS = sorted((pays.alpha_2, _PAYS_FRANCAIS.gettext(pays.name)) for pays in pycountry.countries)


@extend_schema(
    summary="Disponibilité",
    request=None,
    responses={
        200: inline_serializer(
            "Disponibilite",
            {
                "body": serializers.CharField(),
                "statusCode": serializers.CharField(),
                "statusCodeValue": serializers.IntegerField(),
            },
        )
    },
)
class HealthCheck(VueCpro):
    """``GET``, no authentication; ignores any body (one client sends ``null``, another a JSON content type and no
    body)."""

    methode = "GET"

    def get(self, request):
        return Response({"body": "Chorus Pro disponible", "statusCode": "OK", "statusCodeValue": 200})


RecupererDevises = liste_de_reference(
    "Devises (ISO 4217)", "listeDevises", ("codeDevise", "libelleDevise"), DEVISES, requete=CodeLangue
)
RecupererPays = liste_de_reference(
    "Pays (ISO 3166)", "listePays", ("codePays", "libellePays"), PAYS, requete=CodeLangue
)
