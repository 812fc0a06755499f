"""The small world of the access matrix (``tests/test_matrice_acces.py``), built once per module through the
portal's own services and factories.

Structure A (« Collectivité A », public, option « Structure avec MOA ») owns every object the matrix reaches, on
its service SERVICE_A1: it issues invoices and sollicitations, receives them from B, validates an A9 invoice of B,
deposits a works dossier, has a technical account, an API client and a flux, and a user asks to be attached to it.
Its second service SERVICE_A2 has its own user. Structure C is a stranger with its own GP and technical account.
"""

import base64
import importlib
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chorus.api import services as api_services
from chorus.models import Message, Publication
from facturation.enums import Cadre as CadreTravaux
from facturation.enums import StatutFacture
from facturation.models import FluxDepot
from organisation import services as org_services
from organisation.api import comptes
from organisation.enums import Application, Niveau, OptionMoa, TypeStructure
from organisation.models import ModificationDifferee, Service, Structure
from organisation.services import raccordements
from sollicitations import services as soll_services
from tests.factories import UtilisateurFactory, habiliter
from tests.facturation.factories import FactureFactory, fournisseur_pret, piece
from tests.sollicitations.factories import SollicitationFactory
from tests.travaux.factories import deposer_initial, pdf
from travaux import services as travaux_services

MOT_DE_PASSE_TECHNIQUE = "Mdp-technique_matrice_1"


@dataclass
class Monde:
    a: Structure
    service_a1: Service
    service_a2: Service
    b: Structure
    c: Structure
    destinataire: Structure  # the public recipient of A's invoices and sollicitations
    utilisateurs: dict = field(default_factory=dict)  # role -> Utilisateur
    objets: dict = field(default_factory=dict)  # name -> object
    entetes_api: dict = field(default_factory=dict)  # technical role -> HTTP headers

    def __getattr__(self, nom):
        try:
            return self.__dict__["objets"][nom]
        except KeyError:
            raise AttributeError(nom) from None


def _rattacher(user, structure, *, service=None, profils):
    habiliter(user, structure, service=service, profils=profils)
    return user


def _entetes(client_oauth, compte) -> dict:
    compte_b64 = base64.b64encode(f"{compte.login}:{MOT_DE_PASSE_TECHNIQUE}".encode()).decode()
    return {
        "HTTP_AUTHORIZATION": f"Bearer {api_services.emettre_jeton(client_oauth)}",
        "HTTP_CPRO_ACCOUNT": compte_b64,
    }


def construire() -> Monde:
    importlib.import_module("sollicitations.migrations.0002_categories").charger(apps, None)

    # A: made ready to invoice by the supplier helper, then public with two services (it issues and receives).
    gp_a, a = fournisseur_pret(raison_sociale="Collectivité A", email="gp@a.matrice.fr")
    Structure.objects.filter(pk=a.pk).update(type_structure=TypeStructure.PUBLIQUE, option_moa=OptionMoa.AVEC_MOA)
    a.refresh_from_db()
    service_a1 = Service.objects.create(structure=a, code="SERVICE_A1", libelle="Service A1")
    service_a2 = Service.objects.create(structure=a, code="SERVICE_A2", libelle="Service A2")
    gp_b, b = fournisseur_pret(raison_sociale="Fournisseur B", email="gp@b.matrice.fr")
    gp_c, c = fournisseur_pret(raison_sociale="Étranger C", email="gp@c.matrice.fr")
    destinataire = fournisseur_pret(raison_sociale="Destinataire public", email="gp@p.matrice.fr")[1]
    Structure.objects.filter(pk=destinataire.pk).update(type_structure=TypeStructure.PUBLIQUE)
    destinataire.refresh_from_db()
    Service.objects.create(structure=destinataire, code="DRFIP_IDF", libelle="DRFIP")

    autre_service = _rattacher(
        UtilisateurFactory(email="service-a2@a.matrice.fr"),
        a,
        service=service_a2,
        profils=org_services.profils_par_defaut(),
    )
    consultation = _rattacher(
        UtilisateurFactory(email="consultation@a.matrice.fr"),
        a,
        profils={
            app: Niveau.CONSULTATION for app in org_services.tous_les_profils() if app != Application.ORGANISATION
        },
    )
    support = UtilisateurFactory(email="agent@support.matrice.fr", agent_support=True)

    monde = Monde(a=a, service_a1=service_a1, service_a2=service_a2, b=b, c=c, destinataire=destinataire)
    monde.utilisateurs = {
        "autre_structure": gp_c,
        "autre_service": autre_service,
        "consultation": consultation,
        "support": support,
        "gp": gp_a,
    }
    o = monde.objets

    # Invoices: A's draft and A's suspended invoice (to the public recipient), B's invoice received by A/SERVICE_A1,
    # B's A9 invoice that A validates.
    o["brouillon"] = FactureFactory(fournisseur_gp=(gp_a, a), destinataire=destinataire, numero="MAT-BROUILLON")
    o["emise"] = FactureFactory(
        fournisseur_gp=(gp_a, a),
        destinataire=destinataire,
        numero="MAT-EMISE",
        pieces=[piece()],
        statut=StatutFacture.SUSPENDUE,
    )
    o["recue"] = FactureFactory(
        fournisseur_gp=(gp_b, b), destinataire=a, service="SERVICE_A1", numero="MAT-RECUE", pieces=[piece()], recue=True
    )
    o["a_valider"] = FactureFactory(
        fournisseur_gp=(gp_b, b),
        destinataire=destinataire,
        numero="MAT-A-VALIDER",
        pieces=[piece()],
        a_valider=True,
        valideur=a,
    )
    o["emise_a9"] = FactureFactory(
        fournisseur_gp=(gp_a, a), destinataire=destinataire, numero="MAT-A9", a_valider=True, valideur=b
    )
    for nom in ("emise", "recue", "a_valider"):
        o[f"pj_{nom}"] = o[nom].pieces_jointes.get()

    # Sollicitations: one A sends to the public recipient, one B sends to A/SERVICE_A1, each with an attachment.
    fichier = [soll_services.Fichier("note.txt", b"Texte de la piece jointe")]
    o["sollicitation_emise"] = SollicitationFactory(
        acting_user=gp_a, structure_emettrice=a, structure_destinataire=destinataire, fichiers=fichier
    )
    o["sollicitation_recue"] = SollicitationFactory(
        acting_user=gp_b, structure_emettrice=b, structure_destinataire=a, service="SERVICE_A1", fichiers=fichier
    )
    for nom in ("sollicitation_emise", "sollicitation_recue"):
        o[f"pj_{nom}"] = o[nom].pieces_jointes.get()

    # Works: A deposits an A4 (MOE: B, MOA: the public recipient made « avec MOA ») and keeps a draft.
    Structure.objects.filter(pk=destinataire.pk).update(option_moa=OptionMoa.AVEC_MOA)
    destinataire.refresh_from_db()
    o["piece"] = deposer_initial((gp_a, a), cadre=CadreTravaux.A4, moe=b, moa=destinataire)
    o["piece_brouillon"] = deposer_initial((gp_a, a), cadre=CadreTravaux.A4, moe=b, moa=destinataire, brouillon=True)
    o["dossier"] = o["piece"].dossier
    o["pj_piece"] = travaux_services.ajouter_piece_jointe(
        piece=o["piece"], fichier=("attachement.pdf", pdf("Attachement"), "Attachement")
    )

    # Organisation: a user asks to join A; a pending change of a user of A; a message to A's GP.
    demandeur = UtilisateurFactory(email="demandeur@matrice.fr")
    o["approbation"] = org_services.demander_rattachement(
        utilisateur=demandeur, structure=a, commentaire="Je travaille au service A1."
    )
    o["rattachement_consultation"] = consultation.rattachements.get(structure=a)
    # A gestionnaire no longer changes an identity (only the person or the support): a change of a service of A.
    o["modification"] = org_services.modifier_service(
        acting_user=gp_a, service=service_a2, changements={"actif": False}
    )
    # A's GP invites C's GP: only the invited user answers.
    o["invitation"] = org_services.rattacher_utilisateur(acting_user=gp_a, email=gp_c.email, structure=a)
    assert isinstance(o["modification"], ModificationDifferee)
    o["message"] = Message.objects.create(
        destinataire=gp_a, evenement="matrice", sujet="Message de la matrice", corps="Texte"
    )
    o["publication"] = Publication.objects.create(
        rubrique=Publication.Rubrique.ACTUALITE, titre="Actualité", resume="Résumé", contenu="Contenu"
    )

    # Raccordements: A's and C's technical accounts, A's API client, a flux of A.
    client_oauth, _ = api_services.creer_client(client_id="matrice-erp", secret="secret_matrice_0123456789")
    o["compte_a"], _ = comptes.creer_compte_technique(
        structure=a, login="TECH_1_a@cpro.fr", mot_de_passe=MOT_DE_PASSE_TECHNIQUE
    )
    o["compte_c"], _ = comptes.creer_compte_technique(
        structure=c, login="TECH_1_c@cpro.fr", mot_de_passe=MOT_DE_PASSE_TECHNIQUE
    )
    o["client_a"], _ = raccordements.creer_client_api(structure=a, acting_user=gp_a, libelle="ERP de A")
    o["flux"] = FluxDepot.objects.create(
        numero="CPP" + "7" * 22,
        compte=o["compte_a"],
        structure=a,
        syntaxe="IN_DP_E1_CII_16B",
        nom_fichier="flux.xml",
        etat=FluxDepot.Etat.REJETE,
        erreurs_techniques=[{"codeErreur": "FLUX_ILLISIBLE", "libelleErreur": "Illisible"}],
    )
    o["flux"].fichier.save("flux.xml", ContentFile(b"<Invoice/>"))
    monde.entetes_api = {
        "technique": _entetes(client_oauth, o["compte_a"]),
        "technique_autre": _entetes(client_oauth, o["compte_c"]),
    }

    # Links mailed to a user: forged ones must be refused (a real token for another account never helps).
    o["uidb64"] = urlsafe_base64_encode(force_bytes(gp_a.pk))
    o["jeton_faux"] = "cbxyz-" + "0" * 32
    assert not default_token_generator.check_token(gp_a, o["jeton_faux"])
    o["maintenant"] = timezone.now()
    return monde
