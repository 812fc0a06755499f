"""Demo data for ``make run``: loaded once, into an empty database (running it again changes nothing)."""

import datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from chorus.models import Publication
from organisation import demo, queries, services
from organisation.enums import TypeStructure
from organisation.models import Service, Structure, Utilisateur

MOT_DE_PASSE_DEMO = "Demo-Chorus-2026"

COMPTES_DEMO = [
    {
        "email": "gestionnaire@demo.chorus-pro.fr",
        "prenom": "Claire",
        "nom": "Martin",
        "telephone": "01 23 45 67 89",
        "role": "gestionnaire principal de Bâtiments Martin SAS (fournisseur)",
    },
    {
        "email": "fournisseur@demo.chorus-pro.fr",
        "prenom": "Julien",
        "nom": "Bernard",
        "telephone": "",
        "role": "utilisateur simple de Bâtiments Martin SAS",
    },
    {
        "email": "destinataire@demo.chorus-pro.fr",
        "prenom": "Sophie",
        "nom": "Durand",
        "telephone": "",
        "role": "gestionnaire principal de la Commune de Saint-Martin, agent de l'État (service DRFIP_IDF)",
    },
    {
        "email": "demandeur@demo.chorus-pro.fr",
        "prenom": "Hugo",
        "nom": "Blanc",
        "telephone": "",
        "role": "demande de rattachement à Bâtiments Martin SAS en attente",
    },
    {
        "email": "titulaire@demo.chorus-pro.fr",
        "prenom": "Thomas",
        "nom": "Lefèvre",
        "telephone": "",
        "role": "gestionnaire principal de Durand Construction (titulaire : factures à valider)",
    },
    {
        "email": "support@demo.chorus-pro.fr",
        "prenom": "Marc",
        "nom": "Petit",
        "telephone": "",
        "role": "agent du support (une création de structure publique à approuver)",
        "support": True,
    },
]

SIRET_ETAT = "11000201100044"
SIRET_FOURNISSEUR = "40483304800014"
SIRET_COMMUNE = "21380185500015"
SIRET_TITULAIRE = "51303720000013"
SIRET_COMMUNE_EN_ATTENTE = "21690123100011"

SERVICES_ETAT = [
    ("FACTURES_PUBLIQUES", "Factures publiques", False),
    ("DRFIP_IDF", "Direction régionale des finances publiques d'Île-de-France", True),
    ("SGAMI_EST", "Secrétariat général pour l'administration du ministère de l'intérieur Est", True),
    ("MINARM_SCA", "Service du commissariat des armées", False),
]

PUBLICATIONS = [
    (
        Publication.Rubrique.ACTUALITE,
        datetime.date(2026, 9, 1),
        "Généralisation de la facturation électronique",
        "Depuis le 1er septembre 2026, toutes les entreprises doivent pouvoir recevoir des factures électroniques.",
        "Le calendrier de la réforme de la facturation électronique entre entreprises se poursuit. Les "
        "factures adressées au secteur public continuent de transiter par Chorus Pro, sans changement pour "
        "les fournisseurs des entités publiques.",
    ),
    (
        Publication.Rubrique.ACTUALITE,
        datetime.date(2026, 6, 15),
        "Factures de travaux : nouveau motif de refus « erreur de montant »",
        "Un refus pour erreur de montant ne bloque plus le circuit de la facture de travaux.",
        "La maîtrise d'œuvre dépose son état d'acompte avec les montants qu'elle admet plutôt que de refuser "
        "le projet de décompte mensuel pour une différence de montant.",
    ),
    (
        Publication.Rubrique.AIDE,
        datetime.date(2026, 1, 10),
        "Déposer une facture au format PDF",
        "Les étapes du dépôt d'une facture PDF dans l'espace « Factures émises ».",
        "Dans l'espace Factures émises, choisissez l'onglet Déposer facture, sélectionnez votre fichier PDF, "
        "puis complétez le cadre de facturation, la structure destinataire et son service avant l'envoi.",
    ),
    (
        Publication.Rubrique.AIDE,
        datetime.date(2026, 1, 5),
        "Compte bloqué après plusieurs tentatives de connexion",
        "Après cinq échecs de connexion, le compte est bloqué pendant une heure.",
        "Patientez une heure ou utilisez « Mot de passe oublié » depuis la page de connexion : choisir un "
        "nouveau mot de passe débloque immédiatement votre compte.",
    ),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration si la base ne contient encore aucun utilisateur."

    def handle(self, *args, **options):
        if Utilisateur.objects.exists():
            self.stdout.write("Données existantes conservées (aucun chargement de démonstration).")
            return
        with transaction.atomic():
            self._charger()
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration chargées ({len(COMPTES_DEMO)} comptes)."))

    def _charger(self):
        support, _ = Group.objects.get_or_create(name=queries.GROUPE_SUPPORT)
        comptes = {}
        for compte in COMPTES_DEMO:
            user = Utilisateur.objects.create_user(
                compte["email"],
                MOT_DE_PASSE_DEMO,
                prenom=compte["prenom"],
                nom=compte["nom"],
                telephone=compte["telephone"],
                is_staff=bool(compte.get("support")),
            )
            if compte.get("support"):
                user.groups.add(support)
            comptes[compte["email"].split("@")[0]] = user
        gp, simple, destinataire = comptes["gestionnaire"], comptes["fournisseur"], comptes["destinataire"]

        # The supplier: its GP, a simple user, active bank details and billing mandate.
        fournisseur = demo.structure_privee(
            gp, SIRET_FOURNISSEUR, "Bâtiments Martin SAS", adresse=("12 rue des Artisans", "69007", "Lyon")
        )
        # The GP's invitation, accepted by the user (the demo plays both sides, as they would on the portal).
        invitation = services.rattacher_utilisateur(acting_user=gp, email=simple.email, structure=fournisseur)
        services.repondre_invitation(utilisateur=simple, rattachement=invitation, accepter=True)
        # The demo starts with these two already in effect (their 30-minute delay is shown on new changes).
        demo.pret_a_facturer(gp, fournisseur)

        # The public side: the State's single structure with its services, and a commune.
        etat = demo.structure_publique(
            SIRET_ETAT, "ETAT", adresse=("139 rue de Bercy", "75012", "Paris"), code_service_obligatoire=True
        )
        for code, libelle, engagement in SERVICES_ETAT:
            Service.objects.create(structure=etat, code=code, libelle=libelle, engagement_obligatoire=engagement)
        commune = demo.structure_privee(
            destinataire,
            SIRET_COMMUNE,
            "Commune de Saint-Martin",
            adresse=("1 place de la Mairie", "38000", "Grenoble"),
        )
        # A commune is public: created here directly (the support's approval is shown by the pending request
        # below), with its routing parameters.
        Structure.objects.filter(pk=commune.pk).update(
            type_structure=TypeStructure.PUBLIQUE, service_ou_engagement_obligatoire=True
        )
        Service.objects.create(structure=commune, code="FINANCES", libelle="Service des finances")
        demo.rattacher_par_support(destinataire, etat, service=etat.services.get(code="DRFIP_IDF"))

        # The titulaire of a works contract: it validates the invoices of its sous-traitant (cadre A9).
        demo.structure_privee(
            comptes["titulaire"],
            SIRET_TITULAIRE,
            "Durand Construction",
            adresse=("8 avenue Jean Jaurès", "69007", "Lyon"),
        )

        # Pending approbations: a rattachement request for the supplier's GP, a public structure for support.
        services.demander_rattachement(
            utilisateur=comptes["demandeur"],
            structure=fournisseur,
            commentaire="Je rejoins le service comptabilité de Bâtiments Martin.",
        )
        services.creer_compte(
            email="mairie.nouvelle@demo.chorus-pro.fr",
            prenom="Léa",
            nom="Morel",
            password=MOT_DE_PASSE_DEMO,
            siret=SIRET_COMMUNE_EN_ATTENTE,
            type_structure=TypeStructure.PUBLIQUE,
            raison_sociale="Commune de Villeneuve",
            commentaire="Création de l'espace de la commune.",
        )

        Publication.objects.bulk_create(
            Publication(rubrique=r, date_publication=d, titre=t, resume=res, contenu=c)
            for r, d, t, res, c in PUBLICATIONS
        )
