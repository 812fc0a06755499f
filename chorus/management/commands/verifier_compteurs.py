"""``manage.py verifier_compteurs [--corriger]``: recount the source rows of every Tableau de bord's counters
(``chorus.compteurs``, inscribed by each app: invoices, works pieces, sollicitations) by key and report where the
counters differ; ``--corriger`` sets them right. Exits in error on a drift left uncorrected, so that a scheduled run
is seen failing."""

from django.core.management.base import BaseCommand, CommandError

from chorus import compteurs

AFFICHES = 50


class Command(BaseCommand):
    help = "Vérifie les compteurs des tableaux de bord (et les corrige avec --corriger)."

    def add_arguments(self, parser):
        parser.add_argument("--corriger", action="store_true", help="corriger les compteurs en écart")

    def handle(self, *args, corriger=False, **options):
        en_ecart = 0
        for compteur in compteurs.inscrits():
            trouves = compteur.ecarts()
            if not trouves:
                self.stdout.write(f"{compteur.pluriel} exacts : aucun écart.")
                continue
            for ecart in trouves[:AFFICHES]:
                self.stdout.write(f"Écart : {ecart}")
            if len(trouves) > AFFICHES:
                self.stdout.write(f"… et {len(trouves) - AFFICHES} autre(s) écart(s).")
            if corriger:
                self.stdout.write(f"{compteur.corriger(trouves)} compteur(s) corrigé(s).")
            else:
                en_ecart += len(trouves)
        if en_ecart:
            raise CommandError(f"{en_ecart} compteur(s) en écart : relancer avec --corriger pour les corriger.")
