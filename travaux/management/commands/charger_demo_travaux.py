"""Demo works dossiers for ``make run``: « Factures de travaux » has a dossier at every step of its chains, for the
supplier (fournisseur@demo.chorus-pro.fr, Bâtiments Martin SAS), the MOE (moe@demo.chorus-pro.fr) and the MOA
(moa@demo.chorus-pro.fr), and the payable pieces continue in the MOA's « Factures reçues ». Loaded once, after
``charger_demo`` and ``charger_demo_factures``, into a database without works pieces; every piece is deposited and
moved by ``travaux.services`` (histories, certificates and invoices are the real ones)."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from facturation import bibliotheques
from facturation.enums import Cadre
from organisation import demo
from organisation.enums import OptionMoa
from organisation.management.commands.charger_demo import MOT_DE_PASSE_DEMO, SIRET_FOURNISSEUR, SIRET_TITULAIRE
from organisation.models import Structure, Utilisateur
from travaux import services
from travaux.models import PieceTravaux
from travaux.services import Acteurs, Saisie

EMAIL_MOE = "moe@demo.chorus-pro.fr"
EMAIL_MOA = "moa@demo.chorus-pro.fr"
EMAIL_FOURNISSEUR = "fournisseur@demo.chorus-pro.fr"
EMAIL_TITULAIRE = "titulaire@demo.chorus-pro.fr"

SIRET_MOE = "45293178500011"
SIRET_MOA = "22380001200013"
SIRET_COMMUNE_SANS_MOA = "21380545000011"

COMPTES_DEMO_TRAVAUX = [
    {
        "email": EMAIL_MOE,
        "prenom": "Paul",
        "nom": "Lambert",
        "role": "gestionnaire principal de Lambert Ingénierie (maîtrise d'œuvre : factures de travaux)",
    },
    {
        "email": EMAIL_MOA,
        "prenom": "Nadia",
        "nom": "Roux",
        "role": "gestionnaire principal du Département de l'Isère (maîtrise d'ouvrage), agent de la Commune de Vif "
        "(sans MOA)",
    },
]

MARCHE_EN_COURS = "MT-2026-031"
MARCHE_TERMINE = "MT-2025-118"

# The VAT (20 %) of each amount HT of the demo, written out: amounts are computed only in facturation.montants.
TVA_20 = {
    "6350.00": "1270.00",
    "8920.00": "1784.00",
    "12640.00": "2528.00",
    "15200.00": "3040.00",
    "18450.00": "3690.00",
    "19870.00": "3974.00",
    "21300.00": "4260.00",
    "24100.00": "4820.00",
    "24780.00": "4956.00",
    "151900.00": "30380.00",
    "152400.00": "30480.00",
}


def _pdf(titre: str) -> bytes:
    rl = bibliotheques.reportlab()
    tampon = io.BytesIO()
    page = rl.canvas.Canvas(tampon, pagesize=rl.A4)
    page.setTitle(titre)
    page.drawString(50, 800, titre)
    page.drawString(50, 780, "Document de démonstration - Chorus Pro")
    page.showPage()
    page.save()
    return tampon.getvalue()


class Command(BaseCommand):
    help = "Charge les dossiers de facturation de travaux de démonstration si la base n'en contient encore aucun."

    def handle(self, *args, **options):
        prealables = (
            Structure.objects.filter(identifiant__in=[SIRET_FOURNISSEUR, SIRET_TITULAIRE]).count() == 2
            and Utilisateur.objects.filter(email__in=[EMAIL_FOURNISSEUR, EMAIL_TITULAIRE]).count() == 2
        )
        if (
            not prealables
            or PieceTravaux.objects.exists()
            or Utilisateur.objects.filter(email__in=[EMAIL_MOE, EMAIL_MOA]).exists()
        ):
            self.stdout.write("Factures de travaux existantes conservées (aucun chargement de démonstration).")
            return
        with transaction.atomic():
            nombre = self._charger()
        self.stdout.write(self.style.SUCCESS(f"Factures de travaux de démonstration chargées ({nombre} pièces)."))

    # --- The actors -----------------------------------------------------------------------------------------------

    def _comptes(self) -> dict[str, Utilisateur]:
        comptes = {}
        for compte in COMPTES_DEMO_TRAVAUX:
            comptes[compte["email"]] = Utilisateur.objects.create_user(
                compte["email"], MOT_DE_PASSE_DEMO, prenom=compte["prenom"], nom=compte["nom"]
            )
        return comptes

    def _structures(self, moe_user, moa_user):
        # The MOE: a private engineering firm, created by its GP (every profile, « Factures de travaux » included).
        moe = demo.structure_privee(
            moe_user, SIRET_MOE, "Lambert Ingénierie", adresse=("5 quai Perrière", "38000", "Grenoble")
        )
        # The MOA: a public structure « avec MOA » (its MOA service and its service financier are one structure),
        # created by the support desk, its GP the demo account.
        moa = demo.structure_publique(
            SIRET_MOA,
            "Département de l'Isère",
            adresse=("7 rue Fantin-Latour", "38000", "Grenoble"),
            option_moa=OptionMoa.AVEC_MOA,
        )
        demo.rattacher_par_support(moa_user, moa, gestionnaire=True)
        # A commune « sans MOA »: it receives the works invoice in « Factures reçues » after the MOE (A16).
        commune = demo.structure_publique(
            SIRET_COMMUNE_SANS_MOA,
            "Commune de Vif",
            adresse=("Place de la Libération", "38450", "Vif"),
            option_moa=OptionMoa.SANS_MOA,
        )
        demo.rattacher_par_support(moa_user, commune)
        return moe, moa, commune

    # --- The dossiers ---------------------------------------------------------------------------------------------

    def _charger(self) -> int:
        comptes = self._comptes()
        moe_user, moa_user = comptes[EMAIL_MOE], comptes[EMAIL_MOA]
        fournisseur_user = Utilisateur.objects.get(email=EMAIL_FOURNISSEUR)
        titulaire_user = Utilisateur.objects.get(email=EMAIL_TITULAIRE)
        fournisseur = Structure.objects.get(identifiant=SIRET_FOURNISSEUR)
        titulaire = Structure.objects.get(identifiant=SIRET_TITULAIRE)
        moe, moa, commune = self._structures(moe_user, moa_user)
        aujourd_hui = timezone.localdate()
        qui = {
            "fournisseur": (fournisseur_user, fournisseur),
            "moe": (moe_user, moe),
            "moa": (moa_user, moa),
            "commune": (moa_user, commune),
            "titulaire": (titulaire_user, titulaire),
        }

        def saisie(numero, jours, ht, marche=MARCHE_EN_COURS):
            return Saisie(
                numero=numero,
                date_piece=aujourd_hui - timedelta(days=jours),
                montant_ht=Decimal(ht),
                montant_tva=Decimal(TVA_20[ht]),
                numero_marche=marche,
            )

        def deposer(depositaire, cadre, numero, jours, ht, *, precedente=None, brouillon=False, **acteurs):
            user, structure = qui[depositaire]
            titre = f"{Cadre(cadre).label} n° {numero}"
            marche = MARCHE_TERMINE if cadre in (Cadre.A7, Cadre.A17, Cadre.A20, Cadre.A8) else MARCHE_EN_COURS
            return services.deposer(
                acting_user=user,
                cadre=cadre,
                deposant=structure,
                fichier=services.lire_fichier(_pdf(titre), f"{numero}.pdf"),
                saisie=saisie(numero, jours, ht, marche),
                acteurs=Acteurs(**acteurs) if acteurs else None,
                precedente=precedente,
                brouillon=brouillon,
            )

        def initial(cadre, numero, jours, ht, *, moa_du_dossier=moa, **options):
            return deposer(
                "fournisseur", cadre, numero, jours, ht, fournisseur=fournisseur, moe=moe, moa=moa_du_dossier, **options
            )

        def prendre_en_compte(role, piece):
            services.prendre_en_compte(acting_user=qui[role][0], piece=piece)

        # En cours de marché (A4 → A15 → A19 → service financier), one dossier stopped at each step.
        initial(Cadre.A4, "PDM-2026-07", 1, "18450.00", brouillon=True)  # « Brouillon », the supplier's
        initial(Cadre.A4, "PDM-2026-06", 3, "21300.00")  # « Mise à disposition de la MOE »
        a4 = initial(Cadre.A4, "PDM-2026-05", 12, "24780.00")
        prendre_en_compte("moe", a4)
        deposer("moe", Cadre.A15, "EA-2026-05", 8, "24100.00", precedente=a4)  # « Mise à disposition de la MOA »
        a4 = initial(Cadre.A4, "PDM-2026-04", 40, "19870.00")
        prendre_en_compte("moe", a4)
        a15 = deposer("moe", Cadre.A15, "EA-2026-04", 35, "19870.00", precedente=a4)
        prendre_en_compte("moa", a15)
        # A19: the payable piece continues in « Factures reçues » of the MOA's structure (« avec MOA »).
        deposer("moa", Cadre.A19, "EAV-2026-04", 30, "19870.00", precedente=a15)

        # A piece refused for an error in the routing data, and a suspended one (the supplier has to act).
        a4 = initial(Cadre.A4, "PDM-2026-03", 20, "15200.00")
        services.refuser(
            acting_user=moe_user,
            piece=a4,
            motif=services.MOTIF_ACHEMINEMENT,
            commentaire="Ce marché n'est pas suivi par notre agence de Grenoble.",
        )
        a4 = initial(Cadre.A4, "PDM-2026-02", 25, "12640.00")
        services.suspendre(
            acting_user=moe_user, piece=a4, commentaire="Il manque l'attachement des travaux réalisés en février."
        )

        # Fin de marché (A7 → A17 → A20 → fournisseur → A8 → service financier): one dossier waits for the
        # supplier's signature, the other is signed and paid by the MOA's structure.
        for numero, signe in (("DF-2025-11", False), ("DF-2025-12", True)):
            suffixe = numero[-7:]
            a7 = initial(Cadre.A7, numero, 60, "152400.00")
            a17 = deposer("moe", Cadre.A17, f"PDG-{suffixe}", 50, "151900.00", precedente=a7)
            a20 = deposer("moa", Cadre.A20, f"DG-{suffixe}", 40, "151900.00", precedente=a17)
            if signe:
                deposer("fournisseur", Cadre.A8, f"DGD-{suffixe}", 30, "151900.00", precedente=a20)

        # A sous-traitant's projet de décompte mensuel (A10): Bâtiments Martin SAS is the sous-traitant of Durand
        # Construction, whose validation it waits for (titulaire@demo.chorus-pro.fr).
        deposer(
            "fournisseur",
            Cadre.A10,
            "ST-PDM-2026-05",
            6,
            "6350.00",
            fournisseur=fournisseur,
            validateur=titulaire,
            moe=moe,
            moa=moa,
        )

        # « Sans MOA »: the MOE sends the état d'acompte validé (A16) straight to the commune's « Factures reçues ».
        a4 = initial(Cadre.A4, "PDM-2026-V1", 15, "8920.00", moa_du_dossier=commune)
        prendre_en_compte("moe", a4)
        deposer("moe", Cadre.A16, "EAV-2026-V1", 10, "8920.00", precedente=a4)
        return PieceTravaux.objects.count()
