"""``manage.py creer_role_applicatif``: create (or update) the application role named in DATABASE_URL and grant
it its privileges, as the owner role of DATABASE_PROPRIETAIRE_URL; see ``chorus.roles``. ``migrate`` does it
too after each run; this command alone is for a role created or changed after the last migration."""

from django.core.management.base import BaseCommand, CommandError

from chorus.roles import RoleRefuse, accorder_droits, en_proprietaire, role_applicatif


class Command(BaseCommand):
    help = (
        "Crée ou met à jour le rôle PostgreSQL de l'application (DATABASE_URL) : lecture et ajout seuls sur les "
        "historiques, lecture et écriture sur les autres tables, sans en être propriétaire."
    )

    def handle(self, *args, **options):
        application = role_applicatif()
        if application is None:
            raise CommandError(
                "DATABASE_PROPRIETAIRE_URL n'est pas définie ou désigne le même rôle que DATABASE_URL : il n'y a "
                "pas de rôle applicatif distinct à créer."
            )
        with en_proprietaire():
            try:
                resultat = accorder_droits(role=application[0], mot_de_passe=application[1])
            except RoleRefuse as erreur:
                raise CommandError(str(erreur)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Rôle applicatif {resultat['role']} : lecture et écriture sur {resultat['tables']} table(s), "
                f"lecture et ajout seuls sur {resultat['historiques']} historique(s)."
            )
        )
