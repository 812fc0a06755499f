"""Demo sollicitations for ``make run``: the demo accounts find something in « Sollicitations émises » (Bâtiments
Martin SAS: a complement to give, an answer to accept), in « Sollicitations reçues » of the State's service
DRFIP_IDF (new, answered and sent-back requests) and at the support desk (a technical request, one transferred
by the service as « Mauvaise affectation »). Loaded once, after ``charger_demo``, into a database without
sollicitations; everything goes through the service layer (numbers, history and e-mails are the real ones)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from organisation.management.commands.charger_demo import SIRET_ETAT, SIRET_FOURNISSEUR
from organisation.models import Structure, Utilisateur
from sollicitations import services
from sollicitations.enums import StatutSollicitation
from sollicitations.models import Sollicitation, SousCategorie

S = StatutSollicitation
COMPTES = ["fournisseur", "gestionnaire", "destinataire", "support"]

# (déposant, (catégorie, sous-catégorie), objet, message, numéro de facture, the treatment that follows: a list of
# (who, action, status, message))
PARCOURS = [
    (
        "fournisseur",
        ("FACTURES_EMISES", "SUIVI_TRAITEMENT"),
        "Facture F2026-0106 : date de mise en paiement ?",
        "Bonjour, notre facture F2026-0106 a été mise à disposition il y a deux jours. Pouvez-vous nous indiquer la "
        "date prévisionnelle de sa mise en paiement ? Merci.",
        "F2026-0106",
        [],
    ),
    (
        "fournisseur",
        ("FACTURES_EMISES", "REJET"),
        "Contestation du rejet de la facture F2026-0104",
        "Notre facture F2026-0104 a été rejetée pour « montant erroné ». Le prix unitaire appliqué est pourtant celui "
        "de l'avenant n° 2 du marché. Pouvez-vous réexaminer la facture ?",
        "F2026-0104",
        [
            ("destinataire", "traiter", S.EN_COURS, ""),
            (
                "destinataire",
                "traiter",
                S.DEMANDE_INFORMATION,
                "Merci de nous transmettre l'avenant n° 2 signé : il n'est pas joint à la facture.",
            ),
        ],
    ),
    (
        "gestionnaire",
        ("FACTURES_EMISES", "PAIEMENT"),
        "Facture F2026-0101 : paiement reçu ?",
        "Bonjour, la facture F2026-0101 apparaît « Mise en paiement » mais nous n'avons rien reçu. Pouvez-vous "
        "vérifier ?",
        "F2026-0101",
        [
            ("destinataire", "traiter", S.EN_COURS, "Vérifier la date du virement auprès du comptable."),
            (
                "destinataire",
                "traiter",
                S.RESOLUE,
                "Le virement a été émis hier : comptez deux à trois jours ouvrés avant sa réception sur votre compte.",
            ),
        ],
    ),
    (
        "gestionnaire",
        ("FACTURES_EMISES", "SUIVI_TRAITEMENT"),
        "Facture F2026-0102 : service fait constaté ?",
        "Le service fait de la facture F2026-0102 est-il bien constaté ?",
        "F2026-0102",
        [
            ("destinataire", "traiter", S.RESOLUE, "Oui, le service fait est constaté."),
            (
                "gestionnaire",
                "renvoyer",
                "",
                "Merci, mais quand la facture sera-t-elle mandatée ? C'était le sens de ma question.",
            ),
        ],
    ),
    (
        "fournisseur",
        ("FACTURES_EMISES", "QUESTION_ENTITE_PUBLIQUE"),
        "Création d'un compte technique API",
        "Nous souhaitons transmettre nos factures par l'API : comment créer un compte technique ?",
        "",
        [
            (
                "destinataire",
                "traiter",
                S.MAUVAISE_AFFECTATION,
                "Cette question relève du support Chorus Pro : nous la lui transférons.",
            )
        ],
    ),
    (
        "gestionnaire",
        ("RACCORDEMENT", "EDI"),
        "Raccordement EDI de notre logiciel de facturation",
        "Notre éditeur nous propose d'envoyer nos factures en EDI. Quelles sont les étapes du raccordement ?",
        "",
        [],
    ),
    (
        "fournisseur",
        ("ANNUAIRE", "ENGAGEMENT_CODE_SERVICE"),
        "Engagement 1818266843 inconnu",
        "Message de dépôt d'une facture : « l'engagement 1818266843 n'existe pas ». J'ai fait plusieurs essais avec "
        "et sans espaces, je n'y arrive pas. Merci de votre aide.",
        "",
        [
            (
                "destinataire",
                "traiter",
                S.RESOLUE,
                "Le numéro d'engagement correct est 1818266834 (deux chiffres inversés).",
            ),
            ("fournisseur", "cloturer", "", ""),
        ],
    ),
]


class Command(BaseCommand):
    help = "Charge les sollicitations de démonstration si la base n'en contient encore aucune."

    def handle(self, *args, **options):
        comptes = {
            u.email.split("@")[0]: u
            for u in Utilisateur.objects.filter(email__in=[f"{c}@demo.chorus-pro.fr" for c in COMPTES])
        }
        if (
            Sollicitation.objects.exists()
            or len(comptes) < len(COMPTES)
            or not Structure.objects.filter(identifiant__in=[SIRET_ETAT, SIRET_FOURNISSEUR]).count() == 2
            or not SousCategorie.objects.exists()
        ):
            self.stdout.write("Sollicitations existantes conservées (aucun chargement de démonstration).")
            return
        with transaction.atomic():
            nombre = self._charger(comptes)
        self.stdout.write(self.style.SUCCESS(f"Sollicitations de démonstration chargées ({nombre} sollicitations)."))

    def _charger(self, comptes) -> int:
        fournisseur = Structure.objects.get(identifiant=SIRET_FOURNISSEUR)
        etat = Structure.objects.get(identifiant=SIRET_ETAT)
        drfip = etat.services.get(code="DRFIP_IDF")
        for deposant, (categorie, code), objet, message, numero_facture, suite in PARCOURS:
            sous_categorie = SousCategorie.objects.select_related("categorie").get(categorie__code=categorie, code=code)
            vers_etat = sous_categorie.vers_service_metier
            s = services.deposer_sollicitation(
                acting_user=comptes[deposant],
                structure_emettrice=fournisseur,
                categorie=sous_categorie.categorie,
                sous_categorie=sous_categorie,
                objet=objet,
                message=message,
                numero_facture=numero_facture,
                structure_destinataire=etat if vers_etat else None,
                service_destinataire=drfip if vers_etat else None,
                telephone_contact="04 72 00 00 00",
                fichiers=[services.Fichier("configuration-edi.txt", "Éditeur : Facturio\nFormat : UBL 2.1\n".encode())]
                if categorie == "RACCORDEMENT"
                else [],
            )
            for acteur, action, statut, texte in suite:
                user = comptes[acteur]
                if action == "traiter":
                    s = services.traiter_sollicitation(acting_user=user, sollicitation=s, statut=statut, message=texte)
                elif action == "renvoyer":
                    s = services.renvoyer_sollicitation(acting_user=user, sollicitation=s, message=texte)
                else:
                    s = services.cloturer_sollicitation(acting_user=user, sollicitation=s)
        return len(PARCOURS)
