"""``manage.py restaurer DOSSIER [--remplacer]``: check a backup written by ``sauvegarder`` (SHA-256 of each part),
restore it as the owner role, grant the application role its privileges, then verify every history chain and the
history row counts of the manifest; see ``chorus.sauvegarde``."""

import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chorus import sauvegarde
from chorus.roles import accorder_droits, en_proprietaire, role_applicatif


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de « sauvegarder » après contrôle de ses empreintes, dans une base et un dossier "
        "de fichiers vides (ou en les remplaçant avec --remplacer), puis vérifie les historiques."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier", type=Path, help="Dossier écrit par « manage.py sauvegarder ».")
        parser.add_argument(
            "--remplacer",
            action="store_true",
            help="Remplacer le contenu de la base et du dossier des fichiers s'ils ne sont pas vides.",
        )

    def handle(self, *args, dossier, remplacer, **options):
        application = role_applicatif()
        with en_proprietaire():
            try:
                manifeste = sauvegarde.restaurer(dossier, remplacer=remplacer)
            except sauvegarde.SauvegardeRefusee as erreur:
                raise CommandError(str(erreur)) from None
            if application:
                accorder_droits(role=application[0], mot_de_passe=application[1])
            self.stdout.write(f"Sauvegarde du {manifeste['date']} restaurée. Vérification des historiques…")
            manquants = sauvegarde.historiques_manquants(manifeste)
            executeur = MigrationExecutor(connection)
            a_migrer = len(executeur.migration_plan(executeur.loader.graph.leaf_nodes()))
            sortie, erreurs = io.StringIO(), io.StringIO()
            try:
                call_command("verifier_historiques", stdout=sortie, stderr=erreurs)
            except CommandError as erreur:
                self.stderr.write(erreurs.getvalue())
                raise CommandError(f"Restauration faite, mais {erreur}") from None
        if manquants:
            raise CommandError(
                "Restauration faite, mais des lignes d'historique manquent par rapport au manifeste : "
                + " ; ".join(manquants)
            )
        self.stdout.write(sortie.getvalue().rstrip())
        if a_migrer:
            # A backup of an older version of the portal: its schema is brought up to date by migrate.
            self.stdout.write(
                f"{a_migrer} migration(s) du code ne sont pas appliquées à cette sauvegarde : "
                "lancez « manage.py migrate »."
            )
        self.stdout.write(self.style.SUCCESS("Restauration terminée : les historiques sont intacts et complets."))
