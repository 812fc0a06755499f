"""``manage.py verifier_compteurs [--corriger]``: recount the invoices by (côté, structure, service, statut) and
report where the Tableaux de bord's counters differ; ``--corriger`` sets them right. Exits in error on a drift left
uncorrected, so that a scheduled run is seen failing."""

from django.core.management.base import BaseCommand, CommandError

from facturation import compteurs

AFFICHES = 50


class Command(BaseCommand):
    help = "Vérifie les compteurs des tableaux de bord des factures (et les corrige avec --corriger)."

    def add_arguments(self, parser):
        parser.add_argument("--corriger", action="store_true", help="corriger les compteurs en écart")

    def handle(self, *args, corriger=False, **options):
        trouves = compteurs.ecarts()
        if not trouves:
            self.stdout.write("Compteurs des factures exacts : aucun écart.")
            return
        for ecart in trouves[:AFFICHES]:
            self.stdout.write(f"Écart : {ecart}")
        if len(trouves) > AFFICHES:
            self.stdout.write(f"… et {len(trouves) - AFFICHES} autre(s) écart(s).")
        if not corriger:
            raise CommandError(f"{len(trouves)} compteur(s) en écart : relancer avec --corriger pour les corriger.")
        self.stdout.write(f"{compteurs.corriger(trouves)} compteur(s) corrigé(s).")
