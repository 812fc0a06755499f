"""Create an OAuth client and/or a structure's technical account; the secrets are printed once."""

from django.core.management.base import BaseCommand, CommandError

from chorus.api import services
from chorus.api.models import ClientOAuth
from organisation.api import comptes
from organisation.models import CompteTechnique, Structure


class Command(BaseCommand):
    help = "Crée un client OAuth (--client-id) et/ou un compte technique (--siret, --login) ; affiche les secrets."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", help="identifiant du client OAuth à créer")
        parser.add_argument("--siret", help="structure du compte technique")
        parser.add_argument("--login", help="login du compte technique (par défaut TECH_<id>_<siret>@cpro.fr)")

    def handle(self, *args, client_id=None, siret=None, login=None, **options):
        if not client_id and not siret:
            raise CommandError("Indiquez --client-id et/ou --siret.")
        if client_id:
            if ClientOAuth.objects.filter(client_id=client_id).exists():
                raise CommandError(f"Le client OAuth {client_id} existe déjà.")
            _, secret = services.creer_client(client_id=client_id)
            self.stdout.write(f"client_id={client_id}\nclient_secret={secret}")
        if siret:
            structure = Structure.objects.filter(identifiant=siret).order_by("pk").first()
            if structure is None:
                raise CommandError(f"Aucune structure de SIRET {siret}.")
            login = login or f"TECH_{structure.pk}_{siret}@cpro.fr"
            if CompteTechnique.objects.filter(login=login).exists():
                raise CommandError(f"Le compte technique {login} existe déjà.")
            compte, mot_de_passe = comptes.creer_compte_technique(structure=structure, login=login)
            self.stdout.write(f"login={compte.login}\nmot_de_passe={mot_de_passe}")
        self.stdout.write("Ces secrets ne seront plus affichés : conservez-les.")
