"""Issue 14 item 5, « profiles that lead nowhere »: a profile is granted only for an application that exists in the
portal (registered with ``chorus.navigation``), derived in one place (``queries.applications_ouvertes``). A new user
no longer receives « Engagements »; a grant stored before for such an application is hidden (it opens nothing) and
comes back if that application arrives, as « Raccordements » did (issue 12)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from chorus import navigation
from organisation import forms, queries, services
from organisation.enums import Application, codename
from organisation.models import StructureUserObjectPermission
from tests import outils
from tests.factories import StructureFactory, UtilisateurFactory
from tests.sollicitations.conftest import rattacher

pytestmark = pytest.mark.django_db

EXISTANTES = {
    Application.FACTURES_EMISES,
    Application.FACTURES_RECUES,
    Application.FACTURES_A_VALIDER,
    Application.FACTURES_TRAVAUX,
    Application.SOLLICITATIONS_EMISES,
    Application.SOLLICITATIONS_RECUES,
    Application.RACCORDEMENTS,
    Application.MES_MESSAGES,
}


def _accorder_directement(user, structure, application):
    """A grant stored as the former default profiles did, without the service's check."""
    permission = Permission.objects.get(
        content_type__app_label="organisation", codename=codename(application, "modification")
    )
    StructureUserObjectPermission.objects.create(user=user, content_object=structure, permission=permission)


def test_les_profils_par_defaut_sont_ceux_des_applications_qui_existent():
    assert set(services.profils_par_defaut()) == EXISTANTES
    assert set(services.tous_les_profils()) == EXISTANTES | {Application.ORGANISATION}
    assert set(queries.applications_ouvertes()) == EXISTANTES | {Application.ORGANISATION}


def test_un_nouvel_utilisateur_ne_recoit_pas_engagements_mais_raccordements():
    structure = StructureFactory()
    user = rattacher(UtilisateurFactory(), structure)
    codes = set(StructureUserObjectPermission.objects.filter(user=user).values_list("permission__codename", flat=True))
    assert codes == {codename(a, "modification") for a in EXISTANTES}


def test_une_application_enregistree_ouvre_son_profil(monkeypatch):
    """« Engagements » arriving with its application: its profile then becomes grantable, with no other change (as
    « Raccordements » did)."""
    assert Application.ENGAGEMENTS not in services.profils_par_defaut()
    monkeypatch.setattr(navigation, "_applications", dict(navigation._applications))
    navigation.register_application(
        navigation.Application("ENGAGEMENTS", "Engagements", "ENGAGEMENTS", "domaines", "Engagements juridiques")
    )
    assert Application.ENGAGEMENTS in services.profils_par_defaut()


def test_accorder_un_profil_sans_application_est_refuse_en_francais_le_retirer_est_possible():
    structure, user = StructureFactory(), UtilisateurFactory()
    with pytest.raises(ValidationError, match="« Engagements » ne donne accès à aucune application du portail"):
        services.definir_profils(
            utilisateur=user, structure=structure, profils={Application.ENGAGEMENTS: "consultation"}
        )
    assert not StructureUserObjectPermission.objects.filter(user=user).exists()
    _accorder_directement(user, structure, Application.ENGAGEMENTS)
    services.definir_profils(utilisateur=user, structure=structure, profils={Application.ENGAGEMENTS: None})
    assert not StructureUserObjectPermission.objects.filter(user=user).exists()


def test_un_ancien_profil_sans_application_est_cache(client):
    structure = StructureFactory(raison_sociale="ANCIENNE SA")
    user = rattacher(UtilisateurFactory(), structure, profils={Application.FACTURES_EMISES: "modification"})
    _accorder_directement(user, structure, Application.ENGAGEMENTS)
    assert services.profils_de(utilisateur=user, structure=structure) == {Application.FACTURES_EMISES: "modification"}
    assert [h.permission.codename for h in queries.habilitations_de(user)] == ["factures_emises_modification"]
    ((_, libelles),) = queries.utilisateurs_avec_profils([structure])
    assert libelles == ["Factures émises modification"]
    client.force_login(user)
    page = outils.texte(client.get(reverse("mes_habilitations")))
    assert "Factures émises" in page and "Engagements" not in page
    choix = dict(forms.ProfilForm(structures=queries.structures_de(user)).fields["profil"].choices)
    assert "engagements_modification" not in choix and "raccordements_consultation" in choix
    assert choix["mes_messages_modification"] == "Mes messages modification"


def test_ni_l_accueil_ni_les_domaines_n_annoncent_une_application_absente(client):
    structure = StructureFactory()
    user = rattacher(UtilisateurFactory(), structure)
    for page in (outils.texte(client.get(reverse("accueil"))),):
        assert "Engagements" not in page
    client.force_login(user)
    domaines = outils.texte(client.get(reverse("domaines")))
    assert "Factures de travaux" in domaines and "Mes messages" in domaines and "Raccordements" in domaines
    assert "Engagements" not in domaines
