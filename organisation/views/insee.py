"""The imported INSEE base, read by the account-creation page to pre-fill a structure's identity and address
(``static/organisation/creer_compte.js``). Public, like the register itself: no login."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from chorus.identifiers import valider_siret
from organisation import sirene
from organisation.enums import TypeStructure


@require_GET
def etablissement(request, siret):
    """``{"trouve": true, ...}`` for a SIRET of the INSEE base, ``{"trouve": false}`` for a valid SIRET it does not
    hold, and 400 with ``{"erreur": ...}`` (the French message of the SIRET check) for an invalid one."""
    try:
        siret = valider_siret(siret)
    except ValidationError as exc:
        return JsonResponse({"erreur": exc.messages[0]}, status=400)
    etablissement = sirene.rechercher(siret)
    if etablissement is None:
        return JsonResponse({"trouve": False})
    return JsonResponse(
        {
            "trouve": True,
            "raison_sociale": etablissement.raison_sociale,
            "adresse": etablissement.adresse,
            "code_postal": etablissement.code_postal,
            "ville": etablissement.ville,
            "type_structure": TypeStructure.PUBLIQUE if etablissement.est_public else TypeStructure.PRIVEE,
            "actif": etablissement.actif,
        }
    )
