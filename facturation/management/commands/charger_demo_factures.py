"""Demo invoices for ``make run``: Bâtiments Martin SAS's invoices at each step of their life, so that every page
of « Factures émises », « Factures reçues » (the State's service DRFIP_IDF), « Factures à valider » and the login
pop-up of rejections has something to show. Loaded once, after ``charger_demo``, into a database without
invoices; everything goes through the service layer (the history, certificates and generated Factur-X documents
are the real ones)."""

from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from facturation import services
from facturation.enums import (
    Cadre,
    ModePaiement,
    MotifRecyclage,
    MotifRejet,
    MotifSuspension,
    StatutFacture,
    TypeFacture,
    TypePieceJointe,
    TypeTva,
)
from facturation.models import Facture
from facturation.services import envoi
from organisation.management.commands.charger_demo import SIRET_ETAT, SIRET_FOURNISSEUR, SIRET_TITULAIRE
from organisation.models import Structure, Utilisateur

S = StatutFacture

LIGNES_TRAVAUX = [
    {
        "reference": "MO-ELEC",
        "denomination": "Main d'œuvre électricien",
        "quantite": Decimal("16"),
        "unite": "HUR",
        "prix_unitaire_ht": Decimal("52.00"),
        "remise_ht": Decimal("0"),
        "taux_tva": Decimal("20"),
    },
    {
        "reference": "CAB-3G25",
        "denomination": "Câble R2V 3G2,5 (couronne de 100 m)",
        "quantite": Decimal("3"),
        "unite": "C62",
        "prix_unitaire_ht": Decimal("118.40"),
        "remise_ht": Decimal("15.00"),
        "taux_tva": Decimal("20"),
    },
    {
        "reference": "ISO-LV",
        "denomination": "Isolation laine de verre 100 mm",
        "quantite": Decimal("40"),
        "unite": "MTK",
        "prix_unitaire_ht": Decimal("9.75"),
        "remise_ht": Decimal("0"),
        "taux_tva": Decimal("5.5"),
    },
]

# (numéro, days before today, what the recipient (destinataire@demo.chorus-pro.fr, « Factures reçues ») does
# after sending: (status, coded motif, complément d'information) in order; « completer » is the supplier's answer
# to a suspension, which brings the invoice back to the recipient's « Factures à traiter » as « Complétée »)
PARCOURS = [
    (
        "F2026-0101",
        40,
        [
            (S.PRISE_EN_COMPTE_DESTINATAIRE, "", ""),
            (S.SERVICE_FAIT, "", ""),
            (S.MANDATEE, "", ""),
            (S.MISE_EN_PAIEMENT, "", ""),
        ],
    ),
    ("F2026-0102", 25, [(S.PRISE_EN_COMPTE_DESTINATAIRE, "", ""), (S.SERVICE_FAIT, "", "")]),
    ("F2026-0103", 18, [(S.SUSPENDUE, MotifSuspension.JUSTIFICATIF, "Joindre le procès-verbal de réception.")]),
    (
        "F2026-0104",
        12,
        [(S.REJETEE, MotifRejet.MONTANT_ERRONE, "Le prix unitaire ne correspond pas au bordereau du marché.")],
    ),
    (
        "F2026-0105",
        8,
        [(S.A_RECYCLER, MotifRecyclage.SE_INCORRECT, "La facture relève du service FACTURES_PUBLIQUES.")],
    ),
    ("F2026-0106", 2, []),
    (
        "F2026-0107",
        15,
        [
            (S.SUSPENDUE, MotifSuspension.JUSTIFICATIF, "Joindre le bon de livraison signé."),
            ("completer", "", "Le bon de livraison signé est joint à la facture."),
        ],
    ),
]


PDF_BON_DE_LIVRAISON = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Command(BaseCommand):
    help = "Charge les factures de démonstration si la base n'en contient encore aucune."

    def handle(self, *args, **options):
        if Facture.objects.exists() or not Structure.objects.filter(identifiant=SIRET_FOURNISSEUR).exists():
            self.stdout.write("Factures existantes conservées (aucun chargement de démonstration).")
            return
        with transaction.atomic():
            nombre = self._charger()
        self.stdout.write(self.style.SUCCESS(f"Factures de démonstration chargées ({nombre} factures)."))

    def _charger(self) -> int:
        gp = Utilisateur.objects.get(email="gestionnaire@demo.chorus-pro.fr")
        agent_etat = Utilisateur.objects.get(email="destinataire@demo.chorus-pro.fr")
        fournisseur = Structure.objects.get(identifiant=SIRET_FOURNISSEUR)
        etat = Structure.objects.get(identifiant=SIRET_ETAT)
        titulaire = Structure.objects.get(identifiant=SIRET_TITULAIRE)
        drfip = etat.services.get(code="DRFIP_IDF")
        aujourd_hui = timezone.localdate()
        commun = {
            "fournisseur": fournisseur,
            "destinataire": etat,
            "service_destinataire": drfip,
            "coordonnees_bancaires": fournisseur.coordonnees_bancaires.get(),
            "type_tva": TypeTva.TVA_SUR_DEBIT,
            "mode_paiement": ModePaiement.VIREMENT,
            "numero_marche": "MARCHE-2026-014",
            "devise": "EUR",
        }

        def envoyer(numero, jours, lignes=LIGNES_TRAVAUX, **donnees):
            # The saisie's path of the one deposit pipeline, as « Saisir facture » then « Valider et envoyer ».
            return envoi.deposer_et_envoyer(
                canal=envoi.Canal.SAISIE,
                acting_user=gp,
                saisie=(
                    {
                        **commun,
                        "numero": numero,
                        "date_facture": aujourd_hui - timedelta(days=jours),
                        "numero_engagement": f"EJ-{numero[-4:]}",
                        **donnees,
                    },
                    lignes,
                ),
            )

        for numero, jours, suite in PARCOURS:
            facture = envoyer(numero, jours)
            for statut, motif, commentaire in suite:
                if statut == "completer":
                    services.ajouter_piece_jointe(
                        acting_user=gp,
                        facture=facture,
                        type_piece=TypePieceJointe.BON_DE_LIVRAISON,
                        designation="Bon de livraison signé",
                        nom="bon_de_livraison.pdf",
                        contenu=PDF_BON_DE_LIVRAISON,
                    )
                    services.completer(acting_user=gp, facture=facture, commentaire=commentaire)
                    continue
                services.traiter_facture_recue(
                    acting_user=agent_etat,
                    facture=facture,
                    statut=statut,
                    motif=motif,
                    commentaire=commentaire,
                    # « Numéro DP mandat » (seed 004), given with « Mandater ».
                    numero_dp_mandat=f"DP-{numero[-4:]}" if statut == S.MANDATEE else "",
                )
        envoyer(
            "AV2026-0007",
            1,
            lignes=LIGNES_TRAVAUX[:1],
            type_facture=TypeFacture.AVOIR,
            numero_facture_origine="F2026-0101",
        )
        # A sous-traitant's invoice waiting for the titulaire's validation (titulaire@demo.chorus-pro.fr).
        envoyer("ST2026-0011", 3, lignes=LIGNES_TRAVAUX[1:], cadre=Cadre.A9, valideur=titulaire)
        # A draft left aside: « Brouillon non envoyé » once the reminder has gone.
        services.enregistrer(
            acting_user=gp,
            lignes=LIGNES_TRAVAUX[:2],
            donnees={**commun, "numero": "F2026-0110", "date_facture": aujourd_hui, "numero_engagement": ""},
        )
        return Facture.objects.count()
