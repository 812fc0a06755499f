"""Issue 13, item 13: rattachement, profile and identity changes reach the security log (``chorus.securite``),
once committed — a rolled-back change leaves no line."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from organisation import services
from organisation.enums import Application, Niveau, StatutRattachement
from tests.factories import UtilisateurFactory
from tests.securite import journal  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=False)


def test_rattachement_et_detachement_journalises(fournisseur_gp, journal, django_capture_on_commit_callbacks):  # noqa: F811
    gp, structure = fournisseur_gp
    collegue = UtilisateurFactory(email="collegue@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        rattachement = services.rattacher_utilisateur(acting_user=gp, email=collegue.email, structure=structure)
    with django_capture_on_commit_callbacks(execute=True):
        services.repondre_invitation(utilisateur=collegue, rattachement=rattachement, accepter=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.detacher_utilisateur(acting_user=gp, rattachement=rattachement, motif="Départ")
    rattachements = [champs for nom, champs in journal() if nom == "rattachement.modifie"]
    assert [(c["statut_precedent"], c["statut"], c["par"]) for c in rattachements] == [
        ("", StatutRattachement.INVITE, gp.pk),
        (StatutRattachement.INVITE, StatutRattachement.ACTIF, collegue.pk),
        (StatutRattachement.ACTIF, StatutRattachement.INACTIF, gp.pk),
    ]
    assert all(c["utilisateur"] == collegue.pk and c["structure"] == structure.pk for c in rattachements)
    profils = [champs for nom, champs in journal() if nom == "habilitations.modifiees"]
    assert profils and profils[0]["utilisateur"] == collegue.pk and profils[0]["structure"] == structure.pk


def test_profils_journalises_apres_commit_seulement(fournisseur_gp, journal, django_capture_on_commit_callbacks):  # noqa: F811
    gp, structure = fournisseur_gp
    collegue = UtilisateurFactory()
    profils = {Application.FACTURES_EMISES: Niveau.CONSULTATION}
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.definir_profils(utilisateur=collegue, structure=structure, profils=profils)
                raise RuntimeError("annulé")
        except RuntimeError:
            pass
    assert not [nom for nom, _ in journal() if nom == "habilitations.modifiees"]
    with django_capture_on_commit_callbacks(execute=True):
        services.definir_profils(utilisateur=collegue, structure=structure, profils=profils)
    assert (
        "habilitations.modifiees",
        {
            "utilisateur": collegue.pk,
            "structure": structure.pk,
            "profils": {"FACTURES_EMISES": Niveau.CONSULTATION.value},
        },
    ) in journal()


def test_changement_d_identite_journalise_quand_il_s_applique(journal, django_capture_on_commit_callbacks):  # noqa: F811
    user = UtilisateurFactory(prenom="Jeanne")
    depart = timezone.now()
    with time_machine.travel(depart, tick=False):
        modification = services.demander_modification(
            objet=user, changements={"prenom": "Jeanine"}, demandeur=user, description="Modification de mon compte"
        )
    assert not [nom for nom, _ in journal() if nom == "compte.modifie"]
    with time_machine.travel(depart + timedelta(minutes=31)), django_capture_on_commit_callbacks(execute=True):
        assert services.appliquer_modifications_dues() == 1
    assert (
        "compte.modifie",
        {"utilisateur": user.pk, "par": user.pk, "champs": ["prenom"], "modification": modification.pk},
    ) in journal()
