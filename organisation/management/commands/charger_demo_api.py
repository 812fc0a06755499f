"""Demo access to the API (idempotent): an OAuth client and Bâtiments Martin SAS's technical account."""

from django.core.management.base import BaseCommand

from chorus.api import services
from chorus.api.models import ClientOAuth
from organisation import services as org_services
from organisation.api import comptes
from organisation.models import ClientApiStructure, CompteTechnique, Structure
from organisation.services import raccordements

CLIENT_ID = "demo-erp"
CLIENT_SECRET = "demo-erp-secret_0123456789"  # nosec B105  # the demo's published secret, see the README
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
        compte = CompteTechnique.objects.filter(login=LOGIN).select_related("utilisateur", "structure").first()
        if compte is None:
            comptes.creer_compte_technique(structure=structure, login=LOGIN, mot_de_passe=MOT_DE_PASSE)
        else:
            # An account loaded by an earlier version gets the profiles technical accounts hold today (« Factures
            # de travaux » for facturesTravaux/v1).
            org_services.definir_profils(
                utilisateur=compte.utilisateur, structure=compte.structure, profils=comptes.PROFILS_COMPTE_TECHNIQUE
            )
        # « Raccordements » > « Clients API » of Bâtiments Martin SAS lists the demo client.
        client = ClientOAuth.objects.get(client_id=CLIENT_ID)
        if not ClientApiStructure.objects.filter(client=client).exists():
            raccordements.lier_client_api(client=client, structure=structure, acting_user=None)
        self.stdout.write(f"API : client {CLIENT_ID} / {CLIENT_SECRET}, compte technique {LOGIN} / {MOT_DE_PASSE}.")
