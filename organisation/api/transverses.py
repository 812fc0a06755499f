"""The organisation domain's ``/cpro/transverses/v1/…`` services: the public recipients (the directory,
``organisation.queries.annuaire``, and its CSV export), the INSEE register imported on the portal, the identifier
types of a structure, and the active bank details of the account's own structures (``structures_de`` of its
user, « Factures émises »: another structure's are refused as unknown)."""

import base64
import io
import zipfile

from django.core.exceptions import ValidationError
from django.db.models import Q

from chorus.api.champs import Entier, Pagination, Requete, Texte, Vide
from chorus.api.choix import valeur_connue
from chorus.api.kit import introuvable, page_triee, requete_invalide, succes
from chorus.api.protocole import ServiceCpro, documenter, liste_de_reference
from chorus.identifiers import normaliser, siren_de, valider_siret
from organisation import queries as org_queries
from organisation import sirene
from organisation.enums import Application, StatutStructure, TypeIdentifiant, TypeStructure
from organisation.views.annuaire import filtrer, lignes_annuaire

COLONNES_DESTINATAIRES = {
    "IdStructureCPP": "pk",
    "Siret": "identifiant",
    "Identifiant": "identifiant",
    "NomDestinataire": "raison_sociale",
    "RaisonSociale": "raison_sociale",
    "AdresseCodePostal": "code_postal",
    "AdresseVille": "ville",
}
NOM_FICHIER_ANNUAIRE = "annuaire_destinataires.csv"


class RechercherDestinataireRequete(Requete):
    identifiant = Texte()
    nomVilleCodePostal = Texte()
    typeStructure = Texte()
    parametresRecherche = Pagination()


class InformationSiretRequete(Requete):
    siretStructure = Texte(requis=True)


class CoordonneesBancairesRequete(Requete):
    idStructure = Entier(requis=True)


@documenter("Rechercher un destinataire (structures publiques actives de l'annuaire)", RechercherDestinataireRequete)
class RechercherDestinataire(ServiceCpro):
    def post(self, request):
        corps = self.corps()
        qs = org_queries.annuaire().filter(statut=StatutStructure.ACTIVE)
        type_structure = corps.texte("typeStructure").upper()
        if type_structure:
            valeur_connue(type_structure, TypeStructure.values, "typeStructure")
        if type_structure == TypeStructure.PRIVEE:
            qs = qs.none()  # the directory holds public structures only
        if identifiant := normaliser(corps.texte("identifiant")):
            # The directory page's rule: the start of a SIRET, or a whole one (an old SIRET finds its structure).
            qs = filtrer(qs, {"siret": identifiant})
        if texte := corps.texte("nomVilleCodePostal"):
            # A non-diffusible structure's address is not published: searching by it must not reveal it either.
            adresse = Q(ville__icontains=texte) | Q(code_postal__startswith=texte)
            qs = qs.filter(Q(raison_sociale__icontains=texte) | (adresse & Q(non_diffusible=False)))
        lignes, retour = page_triee(
            corps, "parametresRecherche", qs, COLONNES_DESTINATAIRES, par_defaut="raison_sociale", departage="pk"
        )
        return succes(
            listeDestinataires=[
                {
                    "idStructureCPP": s.pk,
                    "siret": s.identifiant,
                    "nomDestinataire": s.raison_sociale,
                    "adresseCodePostal": "" if s.non_diffusible else s.code_postal,
                    "adresseVille": "" if s.non_diffusible else s.ville,
                }
                for s in lignes
            ],
            parametresRetour=retour,
        )


@documenter("Informations INSEE d'un SIRET (base SIRENE importée sur le portail)", InformationSiretRequete)
class ConsulterInformationSiret(ServiceCpro):
    def post(self, request):
        try:
            siret = valider_siret(self.corps().texte("siretStructure", requis=True))
        except ValidationError as exc:
            raise requete_invalide(" ".join(exc.messages)) from None
        etablissement = sirene.rechercher(siret)
        if etablissement is None:
            raise introuvable(f"Le SIRET {siret} est introuvable dans la base INSEE du portail.")
        e = etablissement
        adresse = (
            ""
            if e.non_diffusible
            else " ".join(partie for partie in (e.adresse, e.complement_adresse, e.code_postal, e.ville) if partie)
        )
        return succes(
            siret=e.siret,
            siren=siren_de(e.siret),
            raisonSociale=e.raison_sociale,
            adresse=adresse,
            categorieJuridique=e.categorie_juridique,
            estActif=e.actif,
            nonDiffusibleInsee=e.non_diffusible,
        )


@documenter("Télécharger l'annuaire des destinataires (zip du CSV, en base64)", Vide)
class TelechargerAnnuaireDestinataire(ServiceCpro):
    """The page's CSV export (``organisation.views.annuaire``), zipped and base64-encoded as Chorus Pro's
    ``fichierResultat``."""

    def post(self, request):
        self.corps()
        tampon = io.BytesIO()
        with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open(NOM_FICHIER_ANNUAIRE, "w") as fichier:
                for ligne in lignes_annuaire({}):
                    fichier.write(ligne.encode("utf-8"))
        return succes(fichierResultat=base64.b64encode(tampon.getvalue()).decode("ascii"))


RecupererTypesIdentifiant = liste_de_reference(
    "Types d'identifiant d'une structure", "listeTypeIdentifiant", "typeIdentifiantStructure", TypeIdentifiant.values
)


@documenter("Coordonnées bancaires actives d'une structure du compte", CoordonneesBancairesRequete)
class RecupererCoordonneesBancairesValides(ServiceCpro):
    """``idCoordonneeBancaire`` is what ``soumettre`` takes in ``fournisseur.codeCoordonneesBancairesFournisseur``."""

    def post(self, request):
        id_structure = self.corps().entier("idStructure", requis=True)
        structure = (
            org_queries.structures_de(self.compte.utilisateur, Application.FACTURES_EMISES)
            .filter(pk=id_structure)
            .first()
        )
        if structure is None:
            raise introuvable(f"La structure {id_structure} n'existe pas ou ne vous est pas accessible.")
        return succes(
            listeCoordonneeBancaire=[
                {"idCoordonneeBancaire": cb.pk, "nomCoordonneeBancaire": str(cb)}
                for cb in org_queries.coordonnees_bancaires_actives(structure)
            ]
        )
