"""``manage.py import_sirene StockEtablissement.csv [--publiques-seulement]``: load or refresh the portal's INSEE base
and its public structures from INSEE's SIRENE establishment stock (see ``organisation.sirene``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisation import sirene


def _pluriel(nombre: int, singulier: str, pluriel: str) -> str:
    return f"{nombre} {singulier if nombre < 2 else pluriel}"


class Command(BaseCommand):
    help = (
        "Enregistre les établissements du fichier SIRENE « StockEtablissement » de l'INSEE (CSV séparé par des "
        "virgules, ou l'archive .zip) dans la base INSEE du portail, crée les structures publiques manquantes et "
        "met à jour la raison sociale et l'adresse des structures existantes (publiques ou privées) ; leurs "
        "paramètres, leur type et leur statut ne sont pas modifiés. Les structures privées sont créées à la "
        "création d'un compte."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Chemin du fichier StockEtablissement (.csv ou .zip).")
        parser.add_argument(
            "--publiques-seulement",
            action="store_true",
            help="N'importer que les établissements publics (catégorie juridique 4 ou 7 ; fichier joint avec "
            "la colonne categorieJuridiqueUniteLegale) : les établissements privés ne sont pas enregistrés.",
        )
        parser.add_argument(
            "--taille-lot", type=int, default=sirene.TAILLE_LOT, help="Nombre de lignes enregistrées à la fois."
        )

    def handle(self, *args, **options):
        chemin = Path(options["fichier"])
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        if options["taille_lot"] < 1:
            raise CommandError("La taille de lot doit être un entier positif.")
        try:
            compteurs = sirene.importer(
                chemin, publiques_seulement=options["publiques_seulement"], taille_lot=options["taille_lot"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        resume = [
            _pluriel(
                compteurs["enregistres"],
                "établissement enregistré dans la base INSEE",
                "établissements enregistrés dans la base INSEE",
            ),
            _pluriel(compteurs["creees"], "structure publique créée", "structures publiques créées"),
            _pluriel(compteurs["mises_a_jour"], "mise à jour", "mises à jour"),
            _pluriel(compteurs["ignorees"], "ligne ignorée (SIRET invalide)", "lignes ignorées (SIRET invalide)"),
        ]
        if options["publiques_seulement"]:
            resume.append(
                _pluriel(compteurs["ecartees"], "établissement privé écarté", "établissements privés écartés")
            )
        self.stdout.write(self.style.SUCCESS("Import SIRENE terminé : " + ", ".join(resume) + "."))
