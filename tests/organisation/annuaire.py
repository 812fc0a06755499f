"""The public structure the directory tests look up (its page, its CSV row), unit and browser alike."""

from organisation.enums import OptionMoa
from tests.factories import StructureFactory


def rectorat_de_bordeaux(raison_sociale: str):
    """A public structure with a MOA whose service code is mandatory, at its real address (no service yet)."""
    return StructureFactory(
        publique=True,
        raison_sociale=raison_sociale,
        identifiant="11000201100044",
        adresse="5 RUE JOSEPH DE CARAYON LATOUR",
        code_postal="33060",
        ville="BORDEAUX",
        code_service_obligatoire=True,
        option_moa=OptionMoa.AVEC_MOA,
    )
