"""Demo access to the API (idempotent): an OAuth client and Bâtiments Martin SAS's technical account."""

from django.core.management.base import BaseCommand

from chorus.api import services
from chorus.api.models import ClientOAuth
from organisation.api import comptes
from organisation.models import CompteTechnique, Structure

CLIENT_ID = "demo-erp"
CLIENT_SECRET = "demo-erp-secret_0123456789"
LOGIN = "TECH_1_batiments-martin@cpro.fr"
MOT_DE_PASSE = "Demo-Api_2026"
SIRET_FOURNISSEUR = "40483304800014"


class Command(BaseCommand):
    help = "Client OAuth et compte technique de démonstration (Bâtiments Martin SAS)."

    def handle(self, *args, **options):
        if not ClientOAuth.objects.filter(client_id=CLIENT_ID).exists():
            services.creer_client(client_id=CLIENT_ID, libelle="ERP de démonstration", secret=CLIENT_SECRET)
        structure = Structure.objects.filter(identifiant=SIRET_FOURNISSEUR).order_by("pk").first()
        if structure is None:
            self.stdout.write("API : Bâtiments Martin SAS absente (charger_demo d'abord), compte technique non créé.")
            return
        if not CompteTechnique.objects.filter(login=LOGIN).exists():
            comptes.creer_compte_technique(structure=structure, login=LOGIN, mot_de_passe=MOT_DE_PASSE)
        self.stdout.write(f"API : client {CLIENT_ID} / {CLIENT_SECRET}, compte technique {LOGIN} / {MOT_DE_PASSE}.")
