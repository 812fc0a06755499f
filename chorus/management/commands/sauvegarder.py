"""``manage.py sauvegarder DOSSIER``: the database (pg_dump, custom format), the uploaded files (tar of
MEDIA_ROOT) and their manifest, as the owner role; see ``chorus.sauvegarde``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chorus import sauvegarde
from chorus.roles import en_proprietaire


class Command(BaseCommand):
    help = "Sauvegarde la base (pg_dump) et les fichiers déposés (MEDIA_ROOT) dans un dossier neuf, avec un manifeste."

    def add_arguments(self, parser):
        parser.add_argument("dossier", type=Path, help="Dossier neuf (ou vide) où écrire la sauvegarde.")

    def handle(self, *args, dossier, **options):
        with en_proprietaire():
            try:
                manifeste = sauvegarde.sauvegarder(dossier)
            except sauvegarde.SauvegardeRefusee as erreur:
                raise CommandError(str(erreur)) from None
        for nom, partie in manifeste["parties"].items():
            self.stdout.write(f"{nom} : {partie['taille']} octets, SHA-256 {partie['sha256']}")
        lignes = sum(manifeste["historiques"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite dans {dossier} ({manifeste['medias']['fichiers']} fichier(s), "
                f"{lignes} ligne(s) d'historique)."
            )
        )
