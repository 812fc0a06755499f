"""Registries of the shared layout (applications, menus, approbations) and the breadcrumb helper."""

import pytest

from chorus import navigation
from chorus.navigation import (
    DOMAINES,
    Application,
    EntreeMenu,
    SourceApprobations,
    actions_publiques,
    approbations_de,
    approbations_modifiees,
    domaines_de,
    fil_ariane,
    menu_utilisateur,
    nombre_approbations,
    register_action_publique,
    register_application,
    register_approbations,
    register_menu_utilisateur,
)

REGISTRES = ("_applications", "_menu_utilisateur", "_approbations", "_actions_publiques")


@pytest.fixture(autouse=True)
def registres_isoles(monkeypatch):
    """Each test starts from empty registries; monkeypatch puts back the real ones (filled by the apps' ``ready``)
    afterwards, so the rest of the suite still sees them."""
    for nom in REGISTRES:
        monkeypatch.setattr(navigation, nom, {})


class Agent:
    _suivant = iter(range(1, 10**6))

    def __init__(self, *, gestionnaire=False):
        self.gestionnaire = gestionnaire
        self.pk = next(Agent._suivant)


def application(code, domaine, *, ordre=100, libelle=None, accessible=None):
    kwargs = {"accessible": accessible} if accessible is not None else {}
    return Application(
        code=code,
        libelle=libelle or code.title(),
        domaine=domaine,
        url_name="accueil",
        description=f"Application {code}",
        ordre=ordre,
        **kwargs,
    )


# --- Applications et domaines --------------------------------------------------------------------------------


def test_domaines_de_sans_application_est_vide():
    assert domaines_de(Agent()) == []


def test_domaines_de_regroupe_par_domaine_dans_l_ordre_de_chorus_pro():
    factures = application("FACTURES", "FACTURATION")
    structures = application("STRUCTURES", "ORGANISATION")
    demandes = application("DEMANDES", "SOLLICITATIONS")
    for app in (structures, demandes, factures):
        register_application(app)

    resultat = domaines_de(Agent())

    assert [d["code"] for d in resultat] == ["FACTURATION", "SOLLICITATIONS", "ORGANISATION"]
    assert resultat[0] == {"code": "FACTURATION", "libelle": "Facturation", "applications": [factures]}
    assert resultat[1]["libelle"] == "Sollicitations"
    assert resultat[1]["applications"] == [demandes]
    assert resultat[2]["applications"] == [structures]


def test_domaines_de_omet_les_domaines_sans_application():
    register_application(application("RACCORDEMENTS", "RACCORDEMENT"))
    resultat = domaines_de(Agent())
    assert [d["code"] for d in resultat] == ["RACCORDEMENT"]
    assert resultat[0]["libelle"] == "Raccordement EDI"


def test_domaines_de_trie_les_applications_par_ordre_puis_libelle():
    b = application("B", "FACTURATION", ordre=10, libelle="Bêta")
    a = application("A", "FACTURATION", ordre=10, libelle="Alpha")
    premier = application("Z", "FACTURATION", ordre=1, libelle="Zêta")
    for app in (b, a, premier):
        register_application(app)
    assert domaines_de(Agent())[0]["applications"] == [premier, a, b]


def test_domaines_de_respecte_accessible():
    publique = application("PUBLIQUE", "FACTURATION")
    reservee = application("RESERVEE", "FACTURATION", accessible=lambda user: user.gestionnaire)
    seule_du_domaine = application("GESTION", "ORGANISATION", accessible=lambda user: user.gestionnaire)
    for app in (publique, reservee, seule_du_domaine):
        register_application(app)

    pour_agent = domaines_de(Agent(gestionnaire=False))
    assert [d["code"] for d in pour_agent] == ["FACTURATION"]
    assert pour_agent[0]["applications"] == [publique]

    pour_gestionnaire = domaines_de(Agent(gestionnaire=True))
    assert [d["code"] for d in pour_gestionnaire] == ["FACTURATION", "ORGANISATION"]
    assert pour_gestionnaire[0]["applications"] == [publique, reservee]
    assert pour_gestionnaire[1]["applications"] == [seule_du_domaine]


def test_accessible_recoit_l_utilisateur_demande():
    vus = []
    register_application(application("X", "FACTURATION", accessible=lambda user: vus.append(user) or True))
    agent = Agent()
    domaines_de(agent)
    assert vus == [agent]


def test_application_accessible_par_defaut_a_tous():
    app = application("X", "ENGAGEMENTS")
    assert app.accessible(None) is True
    assert app.accessible(Agent()) is True


def test_register_application_refuse_un_domaine_inconnu():
    with pytest.raises(ValueError, match="Unknown domain 'COMPTABILITE'"):
        register_application(application("X", "COMPTABILITE"))
    assert navigation._applications == {}
    assert domaines_de(Agent()) == []


def test_register_application_remplace_une_application_de_meme_code():
    register_application(application("X", "FACTURATION", libelle="Ancienne"))
    nouvelle = application("X", "FACTURATION", libelle="Nouvelle")
    register_application(nouvelle)
    assert domaines_de(Agent())[0]["applications"] == [nouvelle]


def test_les_codes_de_domaine_sont_uniques():
    codes = [code for code, _ in DOMAINES]
    assert len(codes) == len(set(codes))
    assert codes[0] == "FACTURATION"


def test_application_url_resout_le_nom_de_route():
    from django.urls import reverse

    assert application("X", "FACTURATION").url == reverse("accueil")


# --- Menus ---------------------------------------------------------------------------------------------------


def test_menu_utilisateur_trie_par_ordre_puis_libelle():
    compte = EntreeMenu(libelle="Mon compte", url_name="compte", ordre=10)
    deconnexion = EntreeMenu(libelle="Déconnexion", url_name="deconnexion", ordre=99)
    aide = EntreeMenu(libelle="Aide", url_name="aide", ordre=10)
    for entree in (deconnexion, compte, aide):
        register_menu_utilisateur(entree)
    assert menu_utilisateur() == [aide, compte, deconnexion]


def test_menu_utilisateur_une_entree_par_route():
    register_menu_utilisateur(EntreeMenu(libelle="Ancien", url_name="compte"))
    register_menu_utilisateur(EntreeMenu(libelle="Nouveau", url_name="compte"))
    assert [e.libelle for e in menu_utilisateur()] == ["Nouveau"]


def test_actions_publiques_triees():
    annuaire = EntreeMenu(libelle="Annuaire", url_name="annuaire", ordre=20)
    inscription = EntreeMenu(libelle="Créer un compte", url_name="inscription", ordre=10)
    register_action_publique(annuaire)
    register_action_publique(inscription)
    assert actions_publiques() == [inscription, annuaire]
    assert menu_utilisateur() == []


# --- Approbations --------------------------------------------------------------------------------------------


def test_approbations_additionne_et_concatene_les_sources():
    agent = Agent()
    register_approbations(SourceApprobations(code="A", compter=lambda user: 2, lister=lambda user: ["a1", "a2"]))
    register_approbations(SourceApprobations(code="B", compter=lambda user: 3, lister=lambda user: ["b1"]))
    assert nombre_approbations(agent) == 5
    assert approbations_de(agent) == ["a1", "a2", "b1"]


def test_approbations_sans_source():
    assert nombre_approbations(Agent()) == 0
    assert approbations_de(Agent()) == []


def test_approbations_transmettent_l_utilisateur():
    vus = []
    register_approbations(
        SourceApprobations(
            code="A",
            compter=lambda user: len(vus.append(user) or [user]),
            lister=lambda user: [user],
        )
    )
    agent = Agent()
    assert nombre_approbations(agent) == 1
    assert approbations_de(agent) == [agent]
    assert vus == [agent]


# --- Fil d'Ariane --------------------------------------------------------------------------------------------


def test_fil_ariane_construit_les_liens_et_la_page_courante():
    assert fil_ariane(("Accueil", "/"), ("Domaines", "/domaines/"), courant="Mon compte") == {
        "links": [{"title": "Accueil", "url": "/"}, {"title": "Domaines", "url": "/domaines/"}],
        "current": "Mon compte",
        "root_dir": "/",
    }


def test_fil_ariane_sans_lien():
    assert fil_ariane(courant="Accueil") == {"links": [], "current": "Accueil", "root_dir": "/"}


def test_nombre_approbations_memorise_jusqu_au_prochain_changement():
    comptes = []
    register_approbations(
        SourceApprobations(code="A", compter=lambda user: comptes.append(user) or 2, lister=lambda user: [])
    )
    agent, autre = Agent(), Agent()
    assert nombre_approbations(agent) == 2
    assert nombre_approbations(agent) == 2
    assert comptes == [agent]  # the second page read the cache
    assert nombre_approbations(autre) == 2
    assert comptes == [agent, autre]  # one count per user
    approbations_modifiees()
    assert nombre_approbations(agent) == 2
    assert comptes == [agent, autre, agent]  # a change to any approbation makes every badge recount


def test_nombre_approbations_expire(monkeypatch):
    import time_machine

    comptes = []
    register_approbations(
        SourceApprobations(code="A", compter=lambda user: comptes.append(user) or 1, lister=lambda user: [])
    )
    agent = Agent()
    with time_machine.travel(0, tick=False) as voyage:
        nombre_approbations(agent)
        voyage.shift(navigation.DUREE_CACHE_APPROBATIONS + 1)
        nombre_approbations(agent)
    assert comptes == [agent, agent]
