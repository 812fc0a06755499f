"""``/cpro/utilisateurs/v1/…``: the technical account's own user, read through ``organisation.queries`` (its
rattachements only: ``rattachements_de``)."""

from chorus.api.champs import Pagination, Requete
from chorus.api.kit import jour_heure, page_triee, succes
from chorus.api.protocole import ServiceCpro, documenter
from organisation import queries as org_queries
from organisation.enums import StatutRattachement
from organisation.models import Structure

# ``roleUtilisateur``: the structure's gestionnaire principal or a user (the portal's two roles since 2022).
ROLE_GESTIONNAIRE_PRINCIPAL = "GESTIONNAIRE_PRINCIPAL"
ROLE_UTILISATEUR = "UTILISATEUR"
COLONNES = {
    "IdStructure": "pk",
    "IdentifiantStructure": "identifiant",
    "DesignationStructure": "raison_sociale",
    "RaisonSociale": "raison_sociale",
}
STATUTS_FERMES = (StatutRattachement.INACTIF, StatutRattachement.REFUSE)


class RattachementsRequete(Requete):
    parametresRecherche = Pagination()


def _service(r) -> dict:
    sv = r.service
    return {
        "idRattachementService": r.pk,
        "statutRattachementService": r.statut,
        "idService": sv.pk,
        "codeService": sv.code,
        "libelleService": sv.libelle,
        "estActif": sv.actif,
        "statutService": "ACTIF" if sv.actif else "INACTIF",
        "dateDbtService": jour_heure(r.created_at),
        "dateFinService": jour_heure(r.updated_at) if r.statut in STATUTS_FERMES else "",
    }


def _structure(s: Structure, rattachements: list, utilisateur) -> dict:
    """One structure and the user's rattachements to it: the latest at the structure's level (``rattachements_de``
    lists the newest first) and the latest to each of its services."""
    au_niveau_structure = next((r for r in rattachements if r.service_id is None), None)
    services, vus = [], set()
    for r in rattachements:
        if r.service_id is not None and r.service_id not in vus:
            vus.add(r.service_id)
            services.append(_service(r))
    role = ROLE_GESTIONNAIRE_PRINCIPAL if s.gestionnaire_principal_id == utilisateur.pk else ROLE_UTILISATEUR
    ligne = {
        "idStructure": s.pk,
        "identifiantStructure": s.identifiant,
        "typeIdentifiantStructure": s.type_identifiant,
        "designationStructure": s.raison_sociale,
        "roleUtilisateur": role,
        "statutUtilisateur": "ACTIF" if utilisateur.is_active else "INACTIF",
        "listeServicesRattache": services,
    }
    if au_niveau_structure is not None:
        ligne["idRattachementStructure"] = au_niveau_structure.pk
        ligne["statutRattachementStructure"] = au_niveau_structure.statut
    return ligne


@documenter("Mes rattachements (structures et services du compte)", RattachementsRequete)
class MonCompteRattachements(ServiceCpro):
    def post(self, request):
        corps = self.corps()
        utilisateur = self.compte.utilisateur
        rattachements = org_queries.rattachements_de(utilisateur)
        structures = Structure.objects.filter(pk__in=rattachements.values("structure"))
        lignes, retour = page_triee(
            corps, "parametresRecherche", structures, COLONNES, par_defaut="raison_sociale", departage="pk"
        )
        par_structure: dict[int, list] = {s.pk: [] for s in lignes}
        for r in rattachements.filter(structure__in=[s.pk for s in lignes]):
            par_structure[r.structure_id].append(r)
        return succes(
            listeStructureRattachement=[_structure(s, par_structure[s.pk], utilisateur) for s in lignes],
            parametresRetour=retour,
        )
