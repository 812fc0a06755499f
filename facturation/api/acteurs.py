"""The structures and services an answer names (fournisseur, destinataire, valideur, MOE, MOA…), in the fields
Chorus Pro gives them, for the invoices' services and the works pieces' (``travaux.api``). An absent structure or
service answers 0 and empty strings, never ``null``: clients read these fields as numbers and strings. And the
destinataire a deposit names, found in the directory as both deposits find it."""

from chorus.api.kit import introuvable
from organisation import queries as org_queries
from organisation.models import Service, Structure


def destinataire_annuaire(identifiant: str, code_service: str) -> tuple[Structure, Service | None]:
    """The public structure ``identifiant`` of the directory and, when ``code_service`` is given, its service of
    that code (case ignored); an unknown one refuses the call."""
    destinataire = org_queries.annuaire().filter(identifiant=identifiant).order_by("pk").first()
    if destinataire is None:
        raise introuvable(f"Le destinataire {identifiant} n'existe pas dans l'annuaire des structures publiques.")
    service = None
    if code_service:
        service = Service.objects.filter(structure=destinataire, code__iexact=code_service).first()
        if service is None:
            raise introuvable(
                f"Le service exécutant « {code_service} » n'existe pas chez le destinataire {identifiant}."
            )
    return destinataire, service


def acteur(structure, suffixe: str, *, nom: str = "raisonSociale") -> dict:
    """``id<Suffixe>``, ``identifiant<Suffixe>``, ``typeIdentifiant<Suffixe>`` and ``<nom><Suffixe>`` (its name:
    ``raisonSociale…`` or, in the invoices' search rows, ``designation…``)."""
    return {
        f"id{suffixe}": structure.pk if structure else 0,
        f"identifiant{suffixe}": structure.identifiant if structure else "",
        f"typeIdentifiant{suffixe}": structure.type_identifiant if structure else "",
        f"{nom}{suffixe}": structure.raison_sociale if structure else "",
    }


def destinataire_et_service(structure, service, *, nom: str = "libelle", nom_service: str = "libelle") -> dict:
    """The ``destinataire`` object of the ``consulter`` services (invoices and works pieces); in the invoices'
    search rows, the same fields named ``designationDestinataire`` and ``nomServiceExecutant``."""
    return {
        "idDestinataire": structure.pk if structure else 0,
        "codeDestinataire": structure.identifiant if structure else "",
        f"{nom}Destinataire": structure.raison_sociale if structure else "",
        "idServiceExecutant": service.pk if service else 0,
        "codeServiceExecutant": service.code if service else "",
        f"{nom_service}ServiceExecutant": service.libelle if service else "",
    }


def fournisseur_et_destinataire(f) -> dict:
    """The parties of an invoice in the rows of ``rechercher/fournisseur`` and ``rechercher/recipiendaire``."""
    fournisseur, service = f.fournisseur, f.service_fournisseur
    return {
        "codeFournisseur": fournisseur.identifiant,
        "typeIdentifiantFournisseur": fournisseur.type_identifiant,
        "designationFournisseur": fournisseur.raison_sociale,
        "codeServiceFournisseur": service.code if service else "",
        "nomServiceFournisseur": service.libelle if service else "",
        **destinataire_et_service(f.destinataire, f.service_destinataire, nom="designation", nom_service="nom"),
    }
