"""The ``journal`` fixture: the events of the security log (``chorus.securite``) written during a test.

The logger does not propagate to the root (its JSON lines go to their own handler), so caplog's handler is attached
to it directly. Import it in a test module: ``from tests.securite import journal  # noqa: F401``.
"""

import logging

import pytest

from chorus.securite import logger


@pytest.fixture
def journal(caplog):
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger=logger.name)
    try:
        yield lambda: [(r.getMessage(), r.securite) for r in caplog.records if r.name == logger.name]
    finally:
        logger.removeHandler(caplog.handler)
