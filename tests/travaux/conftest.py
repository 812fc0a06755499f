import pytest

from tests.travaux.factories import acteurs_du_marche


@pytest.fixture
def acteurs():
    """The supplier, MOE and MOA of the usual works contract (``acteurs_du_marche``)."""
    return acteurs_du_marche()
