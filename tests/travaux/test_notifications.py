"""Item 10: when a piece reaches an actor (MOE, MOA, service financier, the supplier for a décompte général), the
users of that structure holding « Factures de travaux » get one e-mail, through the outbox, once the change is
committed; users without the profile get none, and a rolled-back change sends nothing."""

import pytest
from django.core import mail
from django.db import transaction

from chorus import outbox
from chorus.models import OutboxMessage
from facturation.enums import Cadre
from organisation.enums import Application, OptionMoa
from tests.factories import utilisateur_de
from tests.travaux.factories import acteur, deposer_suite, dossier
from travaux import services

# Every actor comes with its team: a message must reach the members holding the profile and no one else.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("equipes")]


def _collegue(structure, **profils):
    """Another user of ``structure`` holding ``profils`` ({application: niveau}; none: attached without any)."""
    return utilisateur_de(structure, profils=profils)


def _equipe(structure, titulaire):
    """The structure's users: ``titulaire`` (« Factures de travaux » modification, from ``acteur``), a reader
    (consultation) and a colleague holding only « Factures émises »."""
    return {
        "modification": titulaire,
        "consultation": _collegue(structure, **{Application.FACTURES_TRAVAUX: "consultation"}),
        "sans_profil": _collegue(structure, **{Application.FACTURES_EMISES: "modification"}),
    }


def _a_qui(numero) -> dict[str, int]:
    """{e-mail: number of queued messages naming the piece}."""
    compte: dict[str, int] = {}
    for message in OutboxMessage.objects.filter(kind="chorus.email").order_by("id"):
        if numero in message.payload["subject"] or numero in message.payload["body"]:
            for email in message.payload["to"]:
                compte[email] = compte.get(email, 0) + 1
    return compte


def _envoyer_apres_commit(callbacks):
    """The work the Celery worker does once the on-commit task arrives: one queued task per outbox row."""
    en_attente = list(OutboxMessage.objects.filter(statut=OutboxMessage.Statut.EN_ATTENTE).values_list("pk", flat=True))
    assert len(callbacks) >= len(en_attente) > 0
    for pk in en_attente:
        assert outbox.process(pk)


@pytest.fixture
def equipes(acteurs):
    """Each actor's ``_equipe``, by the keys of ``acteurs``."""
    return {qui: _equipe(structure, user) for qui, (user, structure) in acteurs.items()}


def _verifier(equipe, numero):
    recus = _a_qui(numero)
    assert recus.get(equipe["modification"].email) == 1
    assert recus.get(equipe["consultation"].email) == 1
    assert equipe["sans_profil"].email not in recus


def test_la_moe_est_prevenue_une_fois_apres_le_commit(acteurs, equipes, django_capture_on_commit_callbacks):
    equipe_moe = equipes["moe"]
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (a4,) = dossier(acteurs, etape=Cadre.A4, numeros=["PDM-N1"])
    # Queued with the change, nothing sent before the commit.
    _verifier(equipe_moe, "PDM-N1")
    assert mail.outbox == []
    _envoyer_apres_commit(callbacks)
    recus = [m for m in mail.outbox if "PDM-N1" in m.subject]
    assert sorted(m.to[0] for m in recus) == sorted(
        [equipe_moe["modification"].email, equipe_moe["consultation"].email]
    )
    assert "mise à votre disposition" in recus[0].subject
    assert "Mise à disposition de la MOE" in recus[0].body and a4.dossier.numero in recus[0].body


def test_la_moa_est_prevenue_de_l_etat_d_acompte(acteurs, equipes):
    equipe_moa = equipes["moa"]
    (a4,) = dossier(acteurs, etape=Cadre.A4)
    OutboxMessage.objects.all().delete()
    deposer_suite(acteurs["moe"], a4, cadre=Cadre.A15, numero="EA-N2")
    _verifier(equipe_moa, "EA-N2")
    assert set(_a_qui("EA-N2")) == {equipe_moa["modification"].email, equipe_moa["consultation"].email}


def test_le_fournisseur_est_prevenu_du_decompte_general_a_signer(acteurs, equipes):
    _a7, a17 = dossier(acteurs, etape=Cadre.A17)
    OutboxMessage.objects.all().delete()
    deposer_suite(acteurs["moa"], a17, cadre=Cadre.A20, numero="DG-N3")
    _verifier(equipes["fournisseur"], "DG-N3")
    assert equipes["moe"]["modification"].email not in _a_qui("DG-N3")


def test_le_service_financier_est_prevenu_une_seule_fois(acteurs):
    """« Exclusivement MOA »: the A19 goes to the service financier named by the MOA. Its users holding « Factures
    reçues » learn it from the invoice's circuit, those holding only « Factures de travaux » from the works circuit:
    one e-mail each, none for a user holding neither."""
    moa = acteur("RECTORAT MOA", publique=True, option_moa=OptionMoa.MOA_UNIQUEMENT)
    _, etat = acteur("SERVICES DE L'ETAT", publique=True, niveau=None)
    les_deux = _collegue(
        etat, **{Application.FACTURES_RECUES: "modification", Application.FACTURES_TRAVAUX: "modification"}
    )
    recues = _collegue(etat, **{Application.FACTURES_RECUES: "consultation"})
    travaux = _collegue(etat, **{Application.FACTURES_TRAVAUX: "consultation"})
    aucun = _collegue(etat, **{Application.FACTURES_EMISES: "modification"})
    _a4, a15 = dossier({**acteurs, "moa": moa}, etape=Cadre.A15)
    OutboxMessage.objects.all().delete()
    deposer_suite(moa, a15, cadre=Cadre.A19, destinataire=etat, numero="EAV-N4")
    recus = _a_qui("EAV-N4")
    assert recus.get(les_deux.email) == 1
    assert recus.get(recues.email) == 1
    assert recus.get(travaux.email) == 1
    assert aucun.email not in recus


def test_rien_n_est_envoye_si_la_transaction_est_annulee(acteurs, django_capture_on_commit_callbacks):
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            (a4,) = dossier(acteurs, etape=Cadre.A4, numeros=["PDM-N5"])
            assert _a_qui("PDM-N5")  # queued inside the transaction…
            raise RuntimeError("annulation")
    # … and gone with it: no row, no task, no e-mail.
    assert callbacks == []
    assert not OutboxMessage.objects.exists() and mail.outbox == []
    assert not type(a4).objects.filter(numero="PDM-N5").exists()


def test_une_action_refusee_n_envoie_rien(acteurs):
    (a4,) = dossier(acteurs, etape=Cadre.A4)
    OutboxMessage.objects.all().delete()
    with pytest.raises(services.DepotTravauxRefuse):
        deposer_suite(acteurs["moe"], a4, cadre=Cadre.A17)  # the wrong cadre after an A4
    assert not OutboxMessage.objects.exists()
