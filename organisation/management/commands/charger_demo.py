"""Demo data for ``make run``: loaded once, into an empty database (running it again changes nothing)."""

import datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from chorus.models import Publication
from organisation.models import Utilisateur

MOT_DE_PASSE_DEMO = "Demo-Chorus-2026"

COMPTES_DEMO = [
    {
        "email": "gestionnaire@demo.chorus-pro.fr",
        "prenom": "Claire",
        "nom": "Martin",
        "telephone": "01 23 45 67 89",
        "role": "gestionnaire principal d'une entreprise fournisseur",
    },
    {
        "email": "fournisseur@demo.chorus-pro.fr",
        "prenom": "Julien",
        "nom": "Bernard",
        "telephone": "",
        "role": "utilisateur simple d'une entreprise fournisseur",
    },
    {
        "email": "destinataire@demo.chorus-pro.fr",
        "prenom": "Sophie",
        "nom": "Durand",
        "telephone": "",
        "role": "gestionnaire d'une structure publique",
    },
    {
        "email": "support@demo.chorus-pro.fr",
        "prenom": "Marc",
        "nom": "Petit",
        "telephone": "",
        "role": "agent du support de la plateforme",
        "support": True,
    },
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
            support, _ = Group.objects.get_or_create(name="Support")
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
            Publication.objects.bulk_create(
                Publication(rubrique=r, date_publication=d, titre=t, resume=res, contenu=c)
                for r, d, t, res, c in PUBLICATIONS
            )
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration chargées ({len(COMPTES_DEMO)} comptes)."))
