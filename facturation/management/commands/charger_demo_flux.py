"""Demo flux for « Raccordements » > « Suivi des flux » (``make run``, after ``charger_demo_api``): Bâtiments Martin
SAS's technical account deposits a lot of two files — a CII invoice, integrated, and a file that is no invoice,
reported in error — through the API's own path (``creer_flux``, then the flux processing), once."""

import dataclasses

from django.core.management.base import BaseCommand

from chorus.fichiers import archive_tar_gz
from facturation.api import flux as flux_api
from facturation.api.vues_flux import creer_flux
from facturation.conversion import donnees_de
from facturation.enums import StatutFacture
from facturation.facturx import generer_cii
from facturation.models import Facture, FluxDepot
from organisation.management.commands.charger_demo_api import LOGIN
from organisation.models import CompteTechnique

NUMERO_FACTURE = "FLUX-DEMO-1"


class Command(BaseCommand):
    help = "Flux de démonstration de Bâtiments Martin SAS (Raccordements > Suivi des flux)."

    def handle(self, *args, **options):
        compte = CompteTechnique.objects.select_related("structure", "utilisateur").filter(login=LOGIN).first()
        if compte is None:
            self.stdout.write("Flux : compte technique de démonstration absent (charger_demo_api d'abord).")
            return
        if FluxDepot.objects.filter(structure=compte.structure).exists():
            return
        modele = (
            Facture.objects.filter(fournisseur=compte.structure, statut=StatutFacture.MISE_A_DISPOSITION)
            .order_by("pk")
            .first()
        )
        if modele is None:
            self.stdout.write("Flux : aucune facture de démonstration à reprendre (charger_demo_factures d'abord).")
            return
        # The CII of a demo invoice under a new number: a document another software would send.
        cii = generer_cii(dataclasses.replace(donnees_de(modele), numero=NUMERO_FACTURE))
        contenu = archive_tar_gz([("facture-flux-demo-1.xml", cii), ("lisez-moi.txt", b"Ceci n'est pas une facture.")])
        flux = creer_flux(
            structure=compte.structure,
            compte=compte,
            syntaxe="IN_DP_E1_CII_16B",
            nom_fichier="lot-demo.tar.gz",
            contenu=contenu,
        )
        flux = flux_api.traiter(flux)
        self.stdout.write(f"Flux : {flux.numero} ({flux.get_etat_display()}).")
