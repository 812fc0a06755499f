"""structures/v1/consulter: ``informationGenerales.dateExpirationMotPasseCompteTech`` is the technical account's
real password expiry (RFC 3339), on its own structure only (another structure's page says nothing of the
account)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


def _informations(api, id_structure):
    r = api.post("structures/v1/consulter", {"idStructureCPP": id_structure})
    assert r.status_code == 200, r.content
    return r.json()["informationGenerales"]


def test_date_d_expiration_du_mot_de_passe_du_compte(api):
    # Dates in the future whatever today is (an expired password is refused by the API), one in winter, one in summer.
    annee = timezone.localdate().year + 1
    compte = api.compte
    compte.expiration_mot_de_passe = datetime(annee, 1, 15, 10, 30, tzinfo=PARIS)
    compte.save(update_fields=["expiration_mot_de_passe"])
    attendu = f"{annee}-01-15T10:30:00+01:00"
    assert _informations(api, compte.structure_id)["dateExpirationMotPasseCompteTech"] == attendu
    # Renewed: the answer follows the account (summer time: +02:00).
    compte.expiration_mot_de_passe = datetime(annee, 7, 1, 8, 0, tzinfo=PARIS)
    compte.save(update_fields=["expiration_mot_de_passe"])
    attendu = f"{annee}-07-01T08:00:00+02:00"
    assert _informations(api, compte.structure_id)["dateExpirationMotPasseCompteTech"] == attendu


def test_pas_de_date_d_expiration_sur_une_autre_structure(api, etat):
    assert "dateExpirationMotPasseCompteTech" not in _informations(api, etat.pk)
