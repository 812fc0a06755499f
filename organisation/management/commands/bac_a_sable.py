"""The sandbox (« bac à sable ») for integrators: prepares, idempotently, a supplier ready to invoice with its API
client and technical account, and a public recipient with a service; prints the values to paste into a connector.
Each run renews the secrets (they are shown once, only their hashes are stored). ``--lancer`` then starts the whole
portal (``runportal``, without the demo data) with ``CHORUS_BAC_A_SABLE=true``, which opens
``/cpro/bacasable/v1/forcerStatut`` (force any status on one's own invoices)."""

import base64
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from chorus.api.services import nouveau_secret
from organisation import demo
from organisation.models import ClientApiStructure, CompteTechnique, Service, Structure, Utilisateur
from organisation.services import raccordements

EMAIL_INTEGRATEUR = "integrateur@bac-a-sable.chorus-pro.local"
SIRET_FOURNISSEUR = "88888888000018"
SIRET_DESTINATAIRE = "88888888000026"
CODE_SERVICE = "BAC_A_SABLE"


class Command(BaseCommand):
    help = (
        "Bac à sable : prépare un fournisseur (client API, compte technique) et un destinataire public, affiche les "
        "valeurs à coller dans un connecteur ; --lancer démarre ensuite le portail avec CHORUS_BAC_A_SABLE=true."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lancer", action="store_true", help="démarrer ensuite le portail (web, worker, beat)")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, lancer=False, port=8000, **options):
        if lancer:
            call_command("migrate", interactive=False, verbosity=0)
        valeurs = self.preparer()
        self.afficher(valeurs, base=f"http://127.0.0.1:{port}", lancer=lancer)
        if lancer:
            os.environ["CHORUS_BAC_A_SABLE"] = "true"  # read by the settings of the web server and worker started now
            call_command("runportal", "--no-demo", port=port, stdout=self.stdout)

    @transaction.atomic
    def preparer(self) -> dict:
        mot_de_passe_portail = nouveau_secret(16) + "-Aa1"
        integrateur = Utilisateur.objects.filter(email=EMAIL_INTEGRATEUR).first()
        if integrateur is None:
            integrateur = Utilisateur.objects.create_user(
                EMAIL_INTEGRATEUR, mot_de_passe_portail, prenom="Intégrateur", nom="Bac à sable"
            )
        else:
            integrateur.set_password(mot_de_passe_portail)
            integrateur.save(update_fields=["password"])

        fournisseur = Structure.objects.filter(identifiant=SIRET_FOURNISSEUR).order_by("pk").first()
        if fournisseur is None:
            fournisseur = demo.structure_privee(
                integrateur,
                SIRET_FOURNISSEUR,
                "Fournisseur du bac à sable",
                adresse=("1 rue de l'Intégration", "75001", "Paris"),
            )
            # The sandbox starts ready: its own changes take effect now instead of in 30 minutes.
            demo.pret_a_facturer(integrateur, fournisseur)

        destinataire = Structure.objects.filter(identifiant=SIRET_DESTINATAIRE).order_by("pk").first()
        if destinataire is None:
            destinataire = demo.structure_publique(
                SIRET_DESTINATAIRE,
                "Collectivité du bac à sable",
                adresse=("2 place de la République", "75003", "Paris"),
            )
            Service.objects.create(structure=destinataire, code=CODE_SERVICE, libelle="Service du bac à sable")

        lien = (
            ClientApiStructure.objects.filter(structure=fournisseur, client__actif=True)
            .select_related("client", "structure")
            .order_by("pk")
            .first()
        )
        if lien is None:
            lien, secret = raccordements.creer_client_api(
                structure=fournisseur, acting_user=integrateur, libelle="Connecteur du bac à sable"
            )
        else:
            lien, secret = raccordements.renouveler_secret_client(lien=lien, acting_user=integrateur)

        compte = (
            CompteTechnique.objects.filter(structure=fournisseur, actif=True)
            .select_related("structure")
            .order_by("pk")
            .first()
        )
        if compte is None:
            compte, mot_de_passe = raccordements.creer_compte_technique(structure=fournisseur, acting_user=integrateur)
        else:
            compte, mot_de_passe = raccordements.renouveler_compte_technique(compte=compte, acting_user=integrateur)
        return {
            "integrateur": integrateur,
            "mot_de_passe_portail": mot_de_passe_portail,
            "fournisseur": fournisseur,
            "destinataire": destinataire,
            "client_id": lien.client.client_id,
            "client_secret": secret,
            "compte": compte,
            "mot_de_passe": mot_de_passe,
        }

    def afficher(self, v: dict, *, base: str, lancer: bool) -> None:
        compte = v["compte"]
        cpro_account = base64.b64encode(f"{compte.login}:{v['mot_de_passe']}".encode()).decode()
        expiration = timezone.localtime(compte.expiration_mot_de_passe).strftime("%d/%m/%Y")
        lignes = [
            "Bac à sable Chorus Pro : valeurs à coller dans votre connecteur (affichées une seule fois,",
            "renouvelées à chaque exécution de cette commande).",
            "",
            f"URL du jeton OAuth        {base}/api/oauth/token",
            f"URL des services          {base}/cpro/",
            f"client_id                 {v['client_id']}",
            f"client_secret             {v['client_secret']}",
            f"login du compte technique {compte.login}",
            f"mot de passe              {v['mot_de_passe']}  (expire le {expiration})",
            f"en-tête cpro-account      {cpro_account}",
            "",
            f"Fournisseur               {v['fournisseur'].raison_sociale}, SIRET {v['fournisseur'].identifiant}",
            f"Destinataire public       {v['destinataire'].raison_sociale}, SIRET {v['destinataire'].identifiant}, "
            f"code service {CODE_SERVICE}",
            f"Portail                   {base}/connexion/  {v['integrateur'].email} / {v['mot_de_passe_portail']}",
            "",
            f"Forcer un statut          POST {base}/cpro/bacasable/v1/forcerStatut",
            '                          {"identifiantFactureCPP": 1, "statut": "MISE_EN_PAIEMENT"}',
        ]
        if not lancer and not settings.CHORUS_BAC_A_SABLE:
            lignes.append(
                "                          (ouvert seulement avec CHORUS_BAC_A_SABLE=true : "
                "manage.py bac_a_sable --lancer le fait)"
            )
        self.stdout.write("\n".join(lignes))
