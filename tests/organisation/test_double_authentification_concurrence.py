"""Issue 13 item 8: a recovery code is single use even when two requests present it at the same moment (two
threads, each with its own database connection, committing for real)."""

import threading

import pytest
from django.db import connection
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from organisation import services
from tests.factories import UtilisateurFactory
from tests.organisation.test_double_authentification import _activer

pytestmark = pytest.mark.django_db(transaction=True)


def test_un_code_de_secours_presente_deux_fois_en_meme_temps_ne_sert_qu_une_fois(monkeypatch):
    user = UtilisateurFactory()
    _, codes = _activer(user)
    # Each thread waits for the other just before checking the code. With the row lock of verifier_code, the second
    # thread is held before this point, so the first stops waiting after a moment and uses the code alone; without
    # the lock both would check the code together and both be let in.
    barriere = threading.Barrier(2, timeout=2)
    original = StaticDevice.verify_token

    def verifier_ensemble(appareil, jeton):
        try:
            barriere.wait()
        except threading.BrokenBarrierError:
            pass
        return original(appareil, jeton)

    monkeypatch.setattr(StaticDevice, "verify_token", verifier_ensemble)
    resultats = []

    def essayer():
        try:
            services.verifier_code(user=user, code=codes[0])
            resultats.append("accepte")
        except services.CodeRefuse:
            resultats.append("refuse")
        finally:
            connection.close()

    fils = [threading.Thread(target=essayer) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(30)
        assert not fil.is_alive()
    assert sorted(resultats) == ["accepte", "refuse"]
    assert StaticToken.objects.filter(device__user=user).count() == 9
