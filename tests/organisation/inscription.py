"""A supplier's GP who signed up through « Créer un compte » and clicked the e-mailed link: shared by the unit and
browser tests of accounts and rattachements."""

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisation import services
from organisation.enums import TypeStructure
from organisation.models import Service, Structure
from tests.factories import MOT_DE_PASSE

SIRET_ACME = "73282932000074"


def gp_inscrit():
    """Gaëlle Perrin's account and « ACME SAS » (with a service COMPTA), built through the sign-up services."""
    gp, _ = services.creer_compte(
        email="gp@acme.fr",
        prenom="Gaëlle",
        nom="Perrin",
        password=MOT_DE_PASSE,
        siret=SIRET_ACME,
        type_structure=TypeStructure.PRIVEE,
        raison_sociale="ACME SAS",
    )
    # Through the e-mailed link's service: it also activates the structure the sign-up created.
    assert services.activer_compte(
        uidb64=urlsafe_base64_encode(force_bytes(gp.pk)), token=services.activation_token.make_token(gp)
    )
    gp.refresh_from_db()
    structure = Structure.objects.get(identifiant=SIRET_ACME)
    Service.objects.create(structure=structure, code="COMPTA", libelle="Comptabilité")
    return gp, structure
