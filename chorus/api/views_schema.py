"""A static OpenAPI 3 description of the endpoints this portal serves (paths, security; the field lists are
Chorus Pro's, see the design's api-fields.md)."""

from django.http import JsonResponse

SERVICES = {
    "/cpro/transverses/v1/recuperer/devises": "Devises acceptées",
    "/cpro/structures/v1/rechercher": "Rechercher des structures (annuaire public et structures du compte)",
    "/cpro/structures/v1/consulter": "Consulter une structure et ses paramètres",
    "/cpro/structures/v1/rechercher/services": "Services d'une structure",
    "/cpro/structures/v1/consulter/service": "Consulter un service",
    "/cpro/factures/v1/soumettre": "Saisir et envoyer une facture",
    "/cpro/factures/v1/deposer/flux": "Déposer un flux (UBL, CII, Factur-X, lot .tar.gz), traité en différé",
    "/cpro/transverses/v1/consulterCRDetaille": "Compte rendu détaillé d'un flux",
    "/cpro/transverses/v1/consulterCR": "Compte rendu d'un flux",
    "/cpro/factures/v1/rechercher/fournisseur": "Rechercher les factures émises",
    "/cpro/factures/v1/consulter/fournisseur": "Consulter une facture émise",
    "/cpro/factures/v1/consulter/historique": "Historique des statuts d'une facture",
}
REPONSES = {
    "200": {"description": "Succès : codeRetour = 0"},
    "400": {"description": "Refus métier ou requête invalide : {codeRetour ≠ 0, libelle}"},
    "401": {"description": "Jeton ou compte technique absent, inconnu ou expiré"},
    "403": {"description": "Compte technique désactivé, mot de passe expiré ou profil manquant"},
}


def schema(request):
    paths = {
        chemin: {"post": {"summary": resume, "security": [{"oauth2": [], "cproAccount": []}],
                          "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                          "responses": REPONSES}}
        for chemin, resume in SERVICES.items()
    }  # fmt: skip
    paths["/cpro/transverses/v1/health-check"] = {
        "get": {"summary": "Disponibilité", "responses": {"200": {"description": "statusCode OK"}}}
    }
    return JsonResponse({
        "openapi": "3.0.3",
        "info": {"title": "Chorus Pro (portail) – API compatible PISTE", "version": "1.0"},
        "paths": paths,
        "components": {"securitySchemes": {
            "oauth2": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/api/oauth/token",
                                                                         "scopes": {"openid": "openid"}}}},
            "cproAccount": {"type": "apiKey", "in": "header", "name": "cpro-account",
                            "description": "base64(login:mot de passe) du compte technique"},
        }},
    }, json_dumps_params={"ensure_ascii": False})  # fmt: skip
