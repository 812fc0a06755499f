import pytest

from tests.e2e.parcours_travaux import sessions


@pytest.fixture
def session(browser, live_server):
    """One browser session per actor of a journey: ``session(user)`` opens a page where ``user`` is logged in
    (``parcours_travaux.sessions``)."""
    yield from sessions(browser, live_server)
