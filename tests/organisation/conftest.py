import pytest

from tests.factories import UtilisateurFactory, rattacher, structure_privee


@pytest.fixture
def gp(db):
    """Gaëlle Perrin, who created ``structure`` on the portal: its gestionnaire principal."""
    return UtilisateurFactory(prenom="Gaëlle", nom="Perrin")


@pytest.fixture
def structure(gp):
    """« ACME SAS », a private structure with a random SIRET."""
    return structure_privee(gp, "ACME SAS")


@pytest.fixture
def simple(gp, structure):
    """Simon Simple, a user of ``structure``, attached by its GP's invitation."""
    utilisateur = UtilisateurFactory(prenom="Simon", nom="Simple")
    rattacher(gp, utilisateur, structure)
    return utilisateur
