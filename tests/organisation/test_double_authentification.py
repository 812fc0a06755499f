"""Issue 13 item 8: the second factor (TOTP application and recovery codes) — enrolment, the « Code de vérification »
step of the login, single use of each code, the limit on wrong codes, disabling (refused where it is required), the
gate for gestionnaires principaux, support agents and administrators, and the support's reset. Item 13: its events
reach the security log, never a code nor a secret."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.workflow import TransitionInterdite
from organisation import services
from organisation.enums import StatutDoubleAuthentification
from organisation.models import HistoriqueDoubleAuthentification
from organisation.views.double_authentification import SESSION_SECRET
from tests import outils
from tests.factories import MOT_DE_PASSE, StructureFactory, UtilisateurFactory
from tests.securite import journal  # noqa: F401

pytestmark = pytest.mark.django_db

OBLIGATOIRE = override_settings(CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE=True)
INCORRECT = "Code de vérification incorrect."


def _code(cle_hex: str, decalage: int = 0) -> str:
    totp = TOTP(bytes.fromhex(cle_hex), step=30, t0=0, digits=6, drift=decalage)
    return f"{totp.token():06d}"


def _plus_tard(secondes: int):
    """Time moves on (a TOTP code is accepted once per 30-second step)."""
    return time_machine.travel(timezone.now() + timedelta(seconds=secondes), tick=False)


def _activer(user) -> tuple[str, list[str]]:
    """The second factor turned on through the service; returns (key, recovery codes)."""
    cle = services.nouveau_secret()
    _, codes = services.activer_double_authentification(user=user, cle=cle, code=_code(cle))
    user.refresh_from_db()
    return cle, codes


def _mot_de_passe(client, user, suivant=""):
    url = reverse("connexion") + (f"?next={suivant}" if suivant else "")
    return client.post(url, {"username": user.email, "password": MOT_DE_PASSE}, REMOTE_ADDR="203.0.113.30")


def _verifier(client, code):
    return client.post(reverse("connexion_verification"), {"code": code}, REMOTE_ADDR="203.0.113.30")


def _agent_support():
    return UtilisateurFactory(agent_support=True)


# --- Enrolment ---------------------------------------------------------------------------------------------------


def test_activation_qr_code_secret_puis_codes_de_secours(client, django_capture_on_commit_callbacks, journal):  # noqa: F811
    user = UtilisateurFactory()
    client.force_login(user)
    page = client.get(reverse("double_authentification"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Activer la double authentification" in html
    cle = client.session[SESSION_SECRET]
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret == services.secret_lisible(cle)
    assert page["Cache-Control"].startswith("max-age=0")  # the secret is never cached

    # A wrong code: refused, nothing created.
    refus = client.post(reverse("double_authentification"), {"action": "activer", "activer-code": "000000"})
    assert INCORRECT in outils.texte(refus)
    assert not TOTPDevice.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.double_authentification == StatutDoubleAuthentification.INACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("double_authentification"), {"action": "activer", "activer-code": _code(cle)})
    assert reponse.status_code == 200
    assert "Codes de secours" in outils.texte(reponse)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", reponse.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(codes)
    user.refresh_from_db()
    assert user.double_authentification_active
    assert TOTPDevice.objects.get(user=user, confirmed=True).key == cle
    ligne = HistoriqueDoubleAuthentification.objects.get(objet=user)
    assert (ligne.statut_precedent, ligne.statut, ligne.acting_user) == ("INACTIVE", "ACTIVE", user)
    # The session that enrolled is verified: the portal stays open.
    assert DEVICE_ID_SESSION_KEY in client.session
    assert client.get(reverse("mon_compte")).status_code == 200
    assert "Double authentification" in outils.texte(client.get(reverse("mon_compte")))
    evenements = journal()
    assert [nom for nom, _ in evenements if nom.startswith("double_")] == [
        "double_authentification.echec",
        "double_authentification.activee",
    ]
    assert cle not in repr(evenements) and not any(code in repr(evenements) for code in codes)


def test_activation_deja_active_refusee(client):
    user = UtilisateurFactory()
    cle, _ = _activer(user)
    with pytest.raises(TransitionInterdite):
        services.activer_double_authentification(user=user, cle=cle, code=_code(cle, 1))
    assert TOTPDevice.objects.filter(user=user).count() == 1


# --- The second step of the login --------------------------------------------------------------------------------


def test_connexion_demande_le_code_et_rien_n_est_ouvert_avant(client, journal):  # noqa: F811
    user = UtilisateurFactory()
    cle, _ = _activer(user)
    reponse = _mot_de_passe(client, user, suivant="/mon-compte/")
    assert reponse.status_code == 302 and reponse["Location"] == reverse("connexion_verification")
    assert "_auth_user_id" not in client.session  # nobody is logged in before the code
    for nom in ("domaines", "mon_compte", "double_authentification", "factures_emises"):
        assert client.get(reverse(nom)).status_code == 302
        assert reverse("connexion") in client.get(reverse(nom))["Location"]
    page = client.get(reverse("connexion_verification"))
    assert "Code de vérification" in outils.texte(page)

    assert INCORRECT in outils.texte(_verifier(client, "123456" if _code(cle) != "123456" else "654321"))
    assert INCORRECT in outils.texte(_verifier(client, "pas un code"))
    assert "_auth_user_id" not in client.session

    with _plus_tard(30):
        reponse = _verifier(client, _code(cle))
        assert reponse.status_code == 302 and reponse["Location"] == "/mon-compte/"
        assert client.session["_auth_user_id"] == str(user.pk)
        assert client.session[DEVICE_ID_SESSION_KEY] == TOTPDevice.objects.get(user=user).persistent_id
        assert client.get(reverse("mon_compte")).status_code == 200
    noms = [nom for nom, _ in journal()]
    assert noms.count("double_authentification.echec") == 2
    assert noms[-2:] == ["connexion.reussie", "double_authentification.reussie"]


def test_un_code_totp_ne_sert_qu_une_fois(client):
    user = UtilisateurFactory()
    cle, _ = _activer(user)
    with _plus_tard(60):
        code = _code(cle)
        _mot_de_passe(client, user)
        assert _verifier(client, code).status_code == 302
        client.post(reverse("deconnexion"))
        _mot_de_passe(client, user)
        assert INCORRECT in outils.texte(_verifier(client, code))
        assert "_auth_user_id" not in client.session


def test_le_code_de_confirmation_n_ouvre_pas_de_session(client):
    user = UtilisateurFactory()
    cle = services.nouveau_secret()
    code = _code(cle)
    services.activer_double_authentification(user=user, cle=cle, code=code)
    _mot_de_passe(client, user)
    assert INCORRECT in outils.texte(_verifier(client, code))


def test_un_code_de_secours_ne_sert_qu_une_fois(client, django_capture_on_commit_callbacks, journal):  # noqa: F811
    user = UtilisateurFactory()
    _, codes = _activer(user)
    _mot_de_passe(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _verifier(client, codes[0].upper())  # typed in capitals: still the code
    assert reponse.status_code == 302
    assert "il vous en reste 9" in outils.texte(client.get(reverse("domaines")))
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post(reverse("deconnexion"))
    _mot_de_passe(client, user)
    assert INCORRECT in outils.texte(_verifier(client, codes[0]))
    assert _verifier(client, codes[1]).status_code == 302
    utilise = next(champs for nom, champs in journal() if nom == "double_authentification.code_de_secours_utilise")
    assert utilise["codes_restants"] == 9 and utilise["utilisateur"] == user.pk
    assert ("double_authentification.reussie", "code_de_secours") in [
        (nom, champs.get("moyen")) for nom, champs in journal()
    ]


def test_codes_incorrects_limites_comme_le_mot_de_passe(client, settings, journal):  # noqa: F811
    settings.CHORUS_LIMITES = {"double_authentification": (3, 15 * 60)}
    user = UtilisateurFactory()
    cle, codes = _activer(user)
    _mot_de_passe(client, user)
    for _ in range(3):
        assert INCORRECT in outils.texte(_verifier(client, "000000" if _code(cle) != "000000" else "111111"))
    # Beyond the limit even the right code is refused, with the limit's message; nothing is logged in.
    with _plus_tard(30):
        texte = outils.texte(_verifier(client, _code(cle)))
    assert "Trop de codes incorrects. Réessayez dans 15 minutes." in texte
    assert "_auth_user_id" not in client.session
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert "double_authentification.limite" in [nom for nom, _ in journal()]
    # The window ends: the right code opens the session.
    with _plus_tard(16 * 60):
        _mot_de_passe(client, user)
        assert _verifier(client, codes[0]).status_code == 302


def test_l_attente_du_code_expire(client):
    user = UtilisateurFactory()
    cle, _ = _activer(user)
    _mot_de_passe(client, user)
    with _plus_tard(6 * 60):
        reponse = _verifier(client, _code(cle))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("connexion")
    assert "_auth_user_id" not in client.session


def test_sans_double_authentification_la_connexion_est_inchangee(client):
    user = UtilisateurFactory()
    reponse = _mot_de_passe(client, user)
    assert reponse.status_code == 302 and reponse["Location"] == reverse("domaines")
    assert client.get(reverse("domaines")).status_code == 200


def test_session_ouverte_avant_l_activation_est_fermee(client):
    """A session that never passed the second step (opened before the activation, in another browser) ends."""
    user = UtilisateurFactory()
    client.force_login(user)
    _activer(user)
    reponse = client.get(reverse("domaines"))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("connexion")
    assert "_auth_user_id" not in client.session


# --- Recovery codes and deactivation -----------------------------------------------------------------------------


def _connecte_avec_double_authentification(client, user=None) -> tuple:
    """``user`` (a new one if None) turns the second factor on and signs in 30 seconds later (password, then a code
    of the next step): the user, its key and its recovery codes."""
    user = user or UtilisateurFactory()
    cle, codes = _activer(user)
    with _plus_tard(30):
        _mot_de_passe(client, user)
        assert _verifier(client, _code(cle)).status_code == 302
    return user, cle, codes


def test_regenerer_les_codes_exige_un_code(client, django_capture_on_commit_callbacks, journal):  # noqa: F811
    user, cle, anciens = _connecte_avec_double_authentification(client)
    url = reverse("double_authentification")
    refus = client.post(url, {"action": "regenerer", "regenerer-code": "999999"})
    assert INCORRECT in outils.texte(refus)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(anciens)
    with _plus_tard(60), django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url, {"action": "regenerer", "regenerer-code": _code(cle)})
    nouveaux = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", reponse.content.decode())
    assert len(nouveaux) == 10 and not set(nouveaux) & set(anciens)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(nouveaux)
    assert reponse["Cache-Control"].startswith("max-age=0")
    assert "double_authentification.codes_de_secours_regeneres" in [nom for nom, _ in journal()]
    assert HistoriqueDoubleAuthentification.objects.filter(
        objet=user, commentaire="Codes de secours régénérés"
    ).exists()


def test_desactiver_exige_un_code(client, django_capture_on_commit_callbacks, journal):  # noqa: F811
    user, _, codes = _connecte_avec_double_authentification(client)
    url = reverse("double_authentification")
    assert "Ce champ est obligatoire." in outils.texte(
        client.post(url, {"action": "desactiver", "desactiver-code": ""})
    )
    refus = client.post(url, {"action": "desactiver", "desactiver-code": "12345a"})
    assert INCORRECT in outils.texte(refus)
    user.refresh_from_db()
    assert user.double_authentification_active
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url, {"action": "desactiver", "desactiver-code": codes[3]})
    assert reponse.status_code == 302
    user.refresh_from_db()
    assert user.double_authentification == StatutDoubleAuthentification.INACTIVE
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    assert "double_authentification.desactivee" in [nom for nom, _ in journal()]
    historique = client.get(url).content.decode()
    assert re.search(r"<li>[0-9/]+ à [0-9:]+ : Désactivée</li>", historique)
    assert re.search(r"<li>[0-9/]+ à [0-9:]+ : Activée</li>", historique)
    client.post(reverse("deconnexion"))
    assert _mot_de_passe(client, user)["Location"] == reverse("domaines")  # the password alone again


@OBLIGATOIRE
def test_un_gestionnaire_principal_ne_peut_pas_la_desactiver(client):
    gp = UtilisateurFactory()
    StructureFactory(gestionnaire_principal=gp)
    _, _, codes = _connecte_avec_double_authentification(client, gp)
    page = client.get(reverse("double_authentification"))
    assert 'data-testid="desactivation-impossible"' in page.content.decode()
    reponse = client.post(reverse("double_authentification"), {"action": "desactiver", "desactiver-code": codes[0]})
    assert reponse.status_code == 302
    assert "elle ne peut pas être désactivée" in outils.texte(client.get(reverse("double_authentification")))
    gp.refresh_from_db()
    assert gp.double_authentification_active
    assert StaticToken.objects.filter(device__user=gp).count() == 10  # the code was not even used


# --- Required for GP, support, administrators ----------------------------------------------------------------------

PAGES = [
    "domaines",
    "accueil",
    "mon_compte",
    "changer_mot_de_passe",
    "mes_rattachements",
    "mes_habilitations",
    "utilisateurs",
    "mes_structures",
    "factures_emises",
    "raccordements_comptes",
    "annuaire",
    "mentions_legales",
]


@OBLIGATOIRE
@pytest.mark.parametrize("role", ["gestionnaire", "support", "administrateur"])
def test_sans_appareil_seule_la_page_d_activation_est_ouverte(client, role):
    if role == "gestionnaire":
        user = UtilisateurFactory()
        StructureFactory(gestionnaire_principal=user)
    elif role == "support":
        user = _agent_support()
    else:
        user = UtilisateurFactory(is_superuser=True)
    client.force_login(user)
    enrolement = reverse("double_authentification")
    for nom in PAGES:
        reponse = client.get(reverse(nom))
        assert (reponse.status_code, reponse.get("Location")) == (302, enrolement), nom
    assert client.post(reverse("mon_compte"), {"prenom": "X", "nom": "Y"})["Location"] == enrolement
    page = client.get(enrolement)
    assert page.status_code == 200
    assert 'data-testid="double-authentification-obligatoire"' in page.content.decode()
    # Once enrolled, the portal opens.
    cle = client.session[SESSION_SECRET]
    client.post(enrolement, {"action": "activer", "activer-code": _code(cle)})
    assert client.get(reverse("domaines")).status_code == 200
    # Logging out stays possible at any time.
    assert client.post(reverse("deconnexion")).status_code == 302


@OBLIGATOIRE
def test_utilisateur_simple_pas_oblige(client):
    user = UtilisateurFactory()
    client.force_login(user)
    assert client.get(reverse("domaines")).status_code == 200
    assert (
        'data-testid="double-authentification-obligatoire"'
        not in client.get(reverse("double_authentification")).content.decode()
    )


def test_reglage_desactive_gp_sans_appareil_entre(client):
    gp = UtilisateurFactory()
    StructureFactory(gestionnaire_principal=gp)
    client.force_login(gp)
    assert client.get(reverse("domaines")).status_code == 200
    assert not services.double_authentification_requise(gp)


@OBLIGATOIRE
def test_gestionnaire_deconnecte_peut_se_deconnecter_et_se_reconnecter(client):
    gp = UtilisateurFactory()
    StructureFactory(gestionnaire_principal=gp)
    reponse = _mot_de_passe(client, gp)
    assert client.get(reponse["Location"])["Location"] == reverse("double_authentification")


# --- Support reset ------------------------------------------------------------------------------------------------


def test_le_support_reinitialise_la_double_authentification(client, django_capture_on_commit_callbacks, journal):  # noqa: F811
    agent = _agent_support()
    user = UtilisateurFactory()
    _activer(user)
    client.force_login(agent)
    url = reverse("reinitialiser_double_authentification")
    assert client.get(url).status_code == 200
    # Refusals: no motif, unknown address — nothing changes.
    assert "Ce champ est obligatoire." in outils.texte(client.post(url, {"email": user.email, "motif": ""}))
    inconnu = client.post(url, {"email": "personne@exemple.fr", "motif": "Téléphone perdu"})
    assert "Aucun compte ne correspond à cette adresse électronique." in outils.texte(inconnu)
    user.refresh_from_db()
    assert user.double_authentification_active

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url, {"email": user.email.upper(), "motif": "Téléphone perdu, identité vérifiée"})
    assert reponse.status_code == 302
    user.refresh_from_db()
    assert user.double_authentification == StatutDoubleAuthentification.REINITIALISEE
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    ligne = HistoriqueDoubleAuthentification.objects.filter(objet=user).first()
    assert (ligne.statut, ligne.acting_user, ligne.role, ligne.motif) == (
        "REINITIALISEE",
        agent,
        "SUPPORT",
        "Téléphone perdu, identité vérifiée",
    )
    assert HistoriqueDoubleAuthentification.chaine_intacte(user)
    reinit = next(champs for nom, champs in journal() if nom == "double_authentification.reinitialisee")
    assert reinit == {"utilisateur": user.pk, "email": user.email, "par": agent.pk}
    # A second reset: nothing to reset.
    deja = client.post(url, {"email": user.email, "motif": "encore"})
    assert "La double authentification de ce compte n'est pas activée." in outils.texte(deja)
    # The user logs in with the password alone, and can enrol again.
    client.post(reverse("deconnexion"))
    assert _mot_de_passe(client, user)["Location"] == reverse("domaines")
    cle = services.nouveau_secret()
    services.activer_double_authentification(user=user, cle=cle, code=_code(cle))
    user.refresh_from_db()
    assert user.double_authentification_active


def test_seul_le_support_peut_reinitialiser(client):
    user = UtilisateurFactory()
    _activer(user)
    gp = UtilisateurFactory()
    StructureFactory(gestionnaire_principal=gp)
    for intrus in (gp, UtilisateurFactory(), UtilisateurFactory(is_staff=True)):
        client.force_login(intrus)
        url = reverse("reinitialiser_double_authentification")
        assert client.get(url).status_code == 403
        assert client.post(url, {"email": user.email, "motif": "Téléphone perdu"}).status_code == 403
        with pytest.raises(TransitionInterdite):
            services.reinitialiser_double_authentification(user=user, acting_user=intrus, motif="Téléphone perdu")
    client.logout()
    assert client.get(reverse("reinitialiser_double_authentification")).status_code == 302
    user.refresh_from_db()
    assert user.double_authentification_active


def test_la_page_de_reinitialisation_figure_dans_les_domaines_du_support(client):
    client.force_login(_agent_support())
    assert "Réinitialiser une double authentification" in outils.texte(client.get(reverse("domaines")))
    client.force_login(UtilisateurFactory())
    assert "Réinitialiser une double authentification" not in outils.texte(client.get(reverse("domaines")))


# --- Security log (item 13) ---------------------------------------------------------------------------------------


def test_journal_du_second_facteur(client, settings, django_capture_on_commit_callbacks, journal):  # noqa: F811
    """Every event of the second factor, each with the account, never a code nor the key."""
    settings.CHORUS_LIMITES = {"double_authentification": (1, 15 * 60)}
    user = UtilisateurFactory()
    with django_capture_on_commit_callbacks(execute=True):
        cle, codes = _activer(user)  # activee
    _mot_de_passe(client, user)
    _verifier(client, "000000" if _code(cle) != "000000" else "111111")  # echec
    _verifier(client, _code(cle, 1))  # limite (1 wrong code allowed)
    settings.CHORUS_LIMITES = {}
    services.LIMITE_CODES.effacer(str(user.pk))
    with django_capture_on_commit_callbacks(execute=True):
        _verifier(client, codes[0])  # code_de_secours_utilise, reussie
    with django_capture_on_commit_callbacks(execute=True):
        nouveaux = services.regenerer_codes_de_secours(user=user, code=codes[1])  # codes_de_secours_regeneres
    with django_capture_on_commit_callbacks(execute=True):
        services.reinitialiser_double_authentification(user=user, acting_user=_agent_support(), motif="Perdu")
    with django_capture_on_commit_callbacks(execute=True):
        cle2, codes2 = _activer(user)
    with django_capture_on_commit_callbacks(execute=True):
        services.desactiver_double_authentification(user=user, code=codes2[0])  # desactivee
    evenements = [(nom, champs) for nom, champs in journal() if nom.startswith("double_authentification.")]
    noms = {nom.split(".", 1)[1] for nom, _ in evenements}
    assert noms == {
        "activee",
        "desactivee",
        "reussie",
        "echec",
        "limite",
        "codes_de_secours_regeneres",
        "code_de_secours_utilise",
        "reinitialisee",
    }
    assert all(champs["utilisateur"] == user.pk for _, champs in evenements)
    texte = repr(evenements)
    for secret in [cle, cle2, services.secret_lisible(cle), *codes, *nouveaux, *codes2, _code(cle)]:
        assert secret not in texte


def test_la_connexion_de_l_administration_ne_contourne_pas_le_second_facteur(client):
    admin = UtilisateurFactory(is_staff=True, is_superuser=True)
    _activer(admin)
    client.post(reverse("admin:login"), {"username": admin.email, "password": MOT_DE_PASSE})
    reponse = client.get(reverse("admin:index"))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("connexion")
    assert "_auth_user_id" not in client.session
    # Nor do the admin pages edit the devices behind the engine's back.
    from django.contrib import admin as django_admin

    assert not django_admin.site.is_registered(TOTPDevice) and not django_admin.site.is_registered(StaticDevice)


def test_chaque_changement_est_signale_au_titulaire_du_compte():
    """Activation, new recovery codes, deactivation and the support's reset each reach « Mes messages » (and the
    e-mail outbox) of the account's owner: a change they did not make does not go unnoticed."""
    from chorus.models import Message, OutboxMessage

    user = UtilisateurFactory()
    cle, codes = _activer(user)
    services.regenerer_codes_de_secours(user=user, code=codes[0])
    services.reinitialiser_double_authentification(user=user, acting_user=_agent_support(), motif="Perdu")
    _, codes = _activer(user)
    services.desactiver_double_authentification(user=user, code=codes[0])
    sujets = list(
        Message.objects.filter(destinataire=user, evenement="ORGANISATION_DOUBLE_AUTHENTIFICATION")
        .order_by("created_at", "id")
        .values_list("sujet", flat=True)
    )
    assert sujets == [
        "La double authentification de votre compte est activée",
        "Vos codes de secours ont été renouvelés",
        "Votre double authentification a été réinitialisée par le support",
        "La double authentification de votre compte est activée",
        "La double authentification de votre compte est désactivée",
    ]
    assert OutboxMessage.objects.count() >= 5


def test_obligatoire_par_defaut_hors_developpement_et_tests(monkeypatch):
    import importlib

    from chorus.settings import base

    monkeypatch.delenv("CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE", raising=False)
    assert importlib.reload(base).CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE is True
    monkeypatch.setenv("CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE", "false")
    assert importlib.reload(base).CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE is False
    monkeypatch.undo()
    importlib.reload(base)  # the module as the other tests found it
