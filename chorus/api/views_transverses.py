"""``/cpro/transverses/v1/…``"""

from chorus.api.kit import ReponseJson, service, succes

DEVISES = [("EUR", "Euro")]


@service(methode="GET", authentifie=False, lire=False)
def health_check(request, corps, compte):
    """Ignores any body (one client sends ``null``, another a JSON content type and no body)."""
    return ReponseJson({"body": "Chorus Pro disponible", "statusCode": "OK", "statusCodeValue": 200})


@service()
def recuperer_devises(request, corps, compte):
    return succes(listeDevises=[{"codeDevise": code, "libelleDevise": libelle} for code, libelle in DEVISES])
