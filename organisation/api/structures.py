"""``/cpro/structures/v1/…``: what a technical account may see of structures is the public directory
(``organisation.queries.annuaire``) and its own structures (``structures_de``), never another private one."""

from django.db.models import Q

from chorus.api.champs import Booleen, Entier, Pagination, Requete, Texte
from chorus.api.kit import (
    envoyes,
    introuvable,
    jour_heure,
    page_triee,
    requete_invalide,
    rfc3339,
    succes,
)
from chorus.api.protocole import service_cpro
from organisation import queries as org_queries
from organisation.enums import StatutStructure
from organisation.models import Service, Structure

COLONNES_STRUCTURES = {
    "IdStructureCPP": "pk",
    "IdentifiantStructure": "identifiant",
    "RaisonSociale": "raison_sociale",
    "DesignationStructure": "raison_sociale",
    "Statut": "statut",
}
COLONNES_SERVICES = {"CodeService": "code", "LibelleService": "libelle", "IdService": "pk"}


class CriteresStructure(Requete):
    identifiantStructure = Texte()
    typeIdentifiantStructure = Texte()
    raisonSocialeStructure = Texte()
    libelleStructure = Texte()
    nomStructure = Texte()
    adresseCodePostal = Texte()
    adresseVille = Texte()
    adresseCodePays = Texte()
    typeStructure = Texte()
    statutStructure = Texte()


class RechercherRequete(Requete):
    structure = CriteresStructure()
    restreindreStructuresPrivees = Booleen()
    parametres = Pagination()


class IdStructure(Requete):
    """``idStructureCPP`` or ``idStructure`` (clients differ)."""

    idStructureCPP = Entier()
    idStructure = Entier()
    codeLangue = Texte()

    def validate(self, attrs):
        if attrs.get("idStructureCPP") is None and attrs.get("idStructure") is None:
            raise requete_invalide("Le champ « idStructureCPP » (ou « idStructure ») est obligatoire.")
        return attrs


class RechercherServicesRequete(IdStructure):
    parametresRechercherServicesStructure = Pagination()


class ConsulterServiceRequete(Requete):
    idService = Entier(requis=True)
    idStructure = Entier()
    idStructureCPP = Entier()


def structures_visibles(compte):
    """Public structures of the directory plus the account's own ones, whatever ``restreindreStructuresPrivees``
    says: the portal does not disclose other private structures."""
    propres = org_queries.structures_de(compte.utilisateur).values("pk")
    return Structure.objects.filter(Q(pk__in=org_queries.annuaire().values("pk")) | Q(pk__in=propres))


def _structure(compte, id_structure: int) -> Structure:
    structure = structures_visibles(compte).filter(pk=id_structure).first()
    if structure is None:
        raise introuvable(f"La structure {id_structure} n'existe pas ou ne vous est pas accessible.")
    return structure


def _ligne_structure(s: Structure) -> dict:
    return {
        "idStructureCPP": s.pk,
        "identifiantStructure": s.identifiant,
        "typeIdentifiantStructure": s.type_identifiant,
        "designationStructure": s.raison_sociale,
        "statut": s.statut,
    }


def rechercher(corps, compte):
    criteres = corps.objet("structure")
    qs = structures_visibles(compte)
    filtres = {
        "identifiant": criteres.texte("identifiantStructure").replace(" ", ""),
        "type_identifiant": criteres.texte("typeIdentifiantStructure"),
        "code_postal": criteres.texte("adresseCodePostal"),
        "ville__icontains": criteres.texte("adresseVille"),
        "code_pays": criteres.texte("adresseCodePays").upper(),
        "type_structure": criteres.texte("typeStructure").upper(),
    }
    qs = qs.filter(**envoyes(filtres))
    for cle in ("raisonSocialeStructure", "libelleStructure", "nomStructure"):
        if valeur := criteres.texte(cle):
            qs = qs.filter(raison_sociale__icontains=valeur)
    # Without a statut asked for, only active structures: a lookup by SIRET answers exactly one row.
    qs = qs.filter(statut=criteres.texte("statutStructure") or StatutStructure.ACTIVE)
    lignes, retour = page_triee(
        corps, "parametres", qs, COLONNES_STRUCTURES, par_defaut="raison_sociale", departage="pk"
    )
    return succes(listeStructures=[_ligne_structure(s) for s in lignes], parametresRetour=retour)


Rechercher = service_cpro(
    "Rechercher des structures (annuaire public et structures du compte)", RechercherRequete, rechercher
)


def _id_structure(corps) -> int:
    id_structure = corps.entier("idStructureCPP")
    if id_structure is None:
        id_structure = corps.entier("idStructure")
    if id_structure is None:
        raise requete_invalide("Le champ « idStructureCPP » (ou « idStructure ») est obligatoire.")
    return id_structure


def consulter(corps, compte):
    s = _structure(compte, _id_structure(corps))
    propre = s.pk == compte.structure_id
    return succes(
        adressePostaleDuSiege={
            "adresse": s.adresse,
            "complementAdresse1": s.complement_adresse,
            "complementAdresse2": "",
            "codePostal": s.code_postal,
            "ville": s.ville,
            "pays": s.code_pays,
            "telephone": s.telephone,
            "indicatifTelephone": "",
            "fax": "",
            "indicatifFax": "",
        },
        informationGenerales={
            "idStructureCPP": s.pk,
            "idStructureOrigine": s.pk,
            "identifiantStructure": s.identifiant,
            "typeIdentifiantStructure": s.type_identifiant,
            "libelleStructure": s.raison_sociale,
            "raisonSocialeStructure": s.raison_sociale,
            "nomStructure": "",
            "prenomStructure": "",
            "emailStructure": s.courriel if propre or s.est_publique else "",
            "numeroRcsStructure": "",
            "numeroTVA": "",
            "structurePriveePublique": s.type_structure,
            "estValideurDeleguee": False,
            "listeStructureDupliquees": [],
            # The account's own password expiry, on its own structure only (Odoo reminds 15 days before).
            **({"dateExpirationMotPasseCompteTech": rfc3339(compte.expiration_mot_de_passe)} if propre else {}),
        },
        parametres={
            "codeServiceDoitEtreRenseigne": s.code_service_obligatoire,
            "numeroEJDoitEtreRenseigne": s.engagement_obligatoire,
            "gestionNumeroEJOuCodeService": s.service_ou_engagement_obligatoire,
            "statutMiseEnPaiementNestPasRemonte": s.mise_en_paiement_non_remontee,
            "getaMoa": False,
            "estMoaUniquement": False,
            "estValideurDelegue": False,
            "connexionEDI": s.emetteur_edi,
            "recevoirDonneesViaEDI": s.recepteur_edi,
            "nonDiffusibleInsee": False,
        },
    )


Consulter = service_cpro("Consulter une structure et ses paramètres", IdStructure, consulter)


def rechercher_services(corps, compte):
    s = _structure(compte, _id_structure(corps))
    # All of a structure's services in one page unless asked otherwise (Odoo syncs them in one call).
    lignes, retour = page_triee(
        corps,
        "parametresRechercherServicesStructure",
        Service.objects.filter(structure=s),
        COLONNES_SERVICES,
        par_defaut="code",
        departage="pk",
        defaut=10_000,
    )
    return succes(
        listeServices=[
            {
                "idService": sv.pk,
                "codeService": sv.code,
                "libelleService": sv.libelle,
                "estActif": sv.actif,
                "statutService": "ACTIF" if sv.actif else "INACTIF",
                "dateDbtService": jour_heure(sv.created_at),
                "dateFinService": "",
            }
            for sv in lignes
        ],
        parametresRetour=retour,
    )


RechercherServices = service_cpro("Services d'une structure", RechercherServicesRequete, rechercher_services)


def consulter_service(corps, compte):
    id_service = corps.entier("idService", requis=True)
    sv = (
        Service.objects.filter(pk=id_service, structure__in=structures_visibles(compte))
        .select_related("structure")
        .first()
    )
    id_structure = corps.entier("idStructure") or corps.entier("idStructureCPP")
    if sv is None or (id_structure and sv.structure_id != id_structure):
        raise introuvable(f"Le service {id_service} n'existe pas ou ne vous est pas accessible.")
    return succes(
        adressePostale={
            "adresse": sv.adresse,
            "codePostal": sv.code_postal,
            "ville": sv.ville,
            "pays": sv.structure.code_pays,
            "complementAdresse1": "",
            "complementAdresse2": "",
            "telephone": "",
            "indicatifTelephone": "",
            "fax": "",
            "indicatifFax": "",
        },
        informationsGenerales={"codeService": sv.code, "nomService": sv.libelle, "descriptionService": sv.libelle},
        parametres={
            "numeroEngagement": sv.engagement_obligatoire or sv.structure.engagement_obligatoire,
            "miseEnPaiement": not sv.structure.mise_en_paiement_non_remontee,
            "dateCreation": jour_heure(sv.created_at),
            "dateModification": jour_heure(sv.updated_at),
            "dateDebutValidite": jour_heure(sv.created_at),
            "dateFinValidite": "",
        },
    )


ConsulterService = service_cpro("Consulter un service", ConsulterServiceRequete, consulter_service)
