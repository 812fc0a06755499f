"""``manage.py migrate`` as the owner role (``DATABASE_PROPRIETAIRE_URL``) when the application connects with a
restricted role: the tables belong to the owner, and the application role is granted its privileges on them
right after (``chorus.roles``), so a new table is never left out. Without an owner URL: Django's migrate as is."""

from django.core.management.commands import migrate

from chorus.roles import RoleRefuse, accorder_droits, en_proprietaire, role_applicatif


class Command(migrate.Command):
    def handle(self, *args, **options):
        application = role_applicatif() if options.get("database") in (None, "default") else None
        if application is None:
            return super().handle(*args, **options)
        with en_proprietaire():
            super().handle(*args, **options)
            try:
                accorder_droits(role=application[0], mot_de_passe=application[1])
            except RoleRefuse as erreur:
                raise migrate.CommandError(str(erreur)) from None
        return None
