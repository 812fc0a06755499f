"""The received sollicitations' Tableau de bord counters (``CompteurSollicitations``, issue 15 goal 2): kept by the
database on every write of sollicitations (deposit, transition, « Mauvaise affectation » to the support,
réaffectation, bulk insert, bulk update, delete, a change of receiving structure or service), read through the same
perimeter as the sollicitations for agents of the whole structure, of one service, of the support desk and others,
folded, checked by ``verifier_compteurs``, and filled by the migration from yesterday's sollicitations."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chorus import compteurs as kit
from organisation.enums import Application
from sollicitations import compteurs, queries, services, tasks
from sollicitations.enums import StatutSollicitation
from sollicitations.models import SUPPORT, CompteurSollicitations, Sollicitation
from tests.compteurs import avant_les_compteurs, copies, replier, signaler_puis_corriger
from tests.factories import StructureFactory, UtilisateurFactory, siret_aleatoire, utilisateur_de
from tests.sollicitations.conftest import deposer

pytestmark = pytest.mark.django_db
S = StatutSollicitation


def _group_by(user) -> dict[str, int]:
    """The dashboard's former query: the user's received sollicitations grouped by état."""
    qs = Sollicitation.objects.recues_par(user)
    return dict(qs.values("statut").annotate(n=Count("id")).order_by().values_list("statut", "n"))


def _lu(user) -> dict[str, int]:
    return {ligne["statut"]: ligne["nombre"] for ligne in queries.tableau_de_bord_recues(user)}


@pytest.fixture
def agents(etat, agent_drfip, agent_autre_service, lecteur_etat, agent_support, fournisseur_gp):
    """The State's agents (one service, another service, the whole State), the support desk, an agent of another
    public structure, the sender, a user without a profile."""
    du_support_et_de_l_etat = (agent_drfip, agent_autre_service, lecteur_etat, agent_support)
    noms = ("agent_drfip", "agent_autre_service", "lecteur_etat", "agent_support")
    commune = StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Vif", publique=True)
    agent_commune = utilisateur_de(commune, profils={Application.SOLLICITATIONS_RECUES: "modification"})
    sans_profil = UtilisateurFactory(email="personne@exemple.fr")
    autres = {"agent_commune": agent_commune, "emetteur": fournisseur_gp[0], "sans_profil": sans_profil}
    return dict(zip(noms, du_support_et_de_l_etat, strict=True)) | autres


def _verifier(agents) -> None:
    for nom, user in agents.items():
        assert _lu(user) == _group_by(user), nom
    assert compteurs.COMPTEUR.ecarts() == []


def test_compteurs_egaux_au_group_by_a_chaque_ecriture(fournisseur_gp, etat, agents):
    gp, structure = fournisseur_gp
    drfip, support = agents["agent_drfip"], agents["agent_support"]
    # Deposits: two to DRFIP_IDF, one to FACTURES_PUBLIQUES, one to the support desk.
    a, b = (deposer(gp, structure, destinataire=etat, objet=f"Question {i}") for i in range(2))
    deposer(gp, structure, destinataire=etat, service="FACTURES_PUBLIQUES")
    au_support = deposer(gp, structure, categorie="AUTRE", code="AUTRE_DEMANDE")
    _verifier(agents)
    assert _lu(drfip) == {S.A_TRAITER: 2}
    assert _lu(agents["lecteur_etat"]) == {S.A_TRAITER: 3}
    assert _lu(support) == {S.A_TRAITER: 1}
    # Transitions: answered; sent to the support desk by a « Mauvaise affectation »; the support hands its own to
    # the DRFIP.
    services.traiter_sollicitation(acting_user=drfip, sollicitation=a, statut=S.RESOLUE, message="Voilà.")
    services.traiter_sollicitation(acting_user=drfip, sollicitation=b, statut=S.EN_COURS)
    services.traiter_sollicitation(acting_user=drfip, sollicitation=b, statut=S.MAUVAISE_AFFECTATION, message="Non.")
    _verifier(agents)
    assert _lu(drfip) == {S.RESOLUE: 1}
    assert _lu(support) == {S.A_TRAITER: 2}
    vers_la_drfip = {"structure_destinataire": etat, "service_destinataire": etat.services.get(code="DRFIP_IDF")}
    services.traiter_sollicitation(
        acting_user=support, sollicitation=au_support, statut=S.REAFFECTEE, message="Pour la DRFIP.", **vers_la_drfip
    )
    _verifier(agents)
    assert _lu(drfip) == {S.A_TRAITER: 1, S.RESOLUE: 1}
    # A bulk insert (one statement), bulk updates of the état and of the perimeter columns, then deletes.
    copies(a, 20)
    _verifier(agents)
    Sollicitation.objects.filter(numero__in=["CLONE-000", "CLONE-001"]).update(statut=S.CLOTUREE)
    Sollicitation.objects.filter(numero="CLONE-002").update(
        service_destinataire=etat.services.get(code="FACTURES_PUBLIQUES")
    )
    Sollicitation.objects.filter(numero="CLONE-003").update(au_support=True)
    Sollicitation.objects.filter(numero="CLONE-004").update(service_destinataire=None)
    _verifier(agents)
    assert _lu(drfip) == {S.A_TRAITER: 1, S.CLOTUREE: 2, S.RESOLUE: 16}
    assert _lu(support) == {S.A_TRAITER: 1, S.RESOLUE: 1}
    Sollicitation.objects.filter(numero__startswith="CLONE-01").delete()
    _verifier(agents)
    assert _lu(drfip) == {S.A_TRAITER: 1, S.CLOTUREE: 2, S.RESOLUE: 6}
    # A change that moves no sollicitation between keys appends nothing.
    lignes = CompteurSollicitations.objects.count()
    Sollicitation.objects.filter(pk=a.pk).update(objet="Relue")
    assert CompteurSollicitations.objects.count() == lignes
    # Folding keeps the sums, one row per key, none at zero.
    replier(compteurs.COMPTEUR, CompteurSollicitations, lambda: {nom: _lu(user) for nom, user in agents.items()})
    _verifier(agents)
    # The support desk's sollicitations are counted on its own key, never on a structure's.
    assert set(CompteurSollicitations.objects.filter(structure=SUPPORT).values_list("service", flat=True)) == {None}


def test_tableau_de_bord_lit_les_compteurs_en_requetes_bornees(
    client, fournisseur_gp, etat, agents, django_assert_max_num_queries
):
    gp, structure = fournisseur_gp
    drfip = agents["agent_drfip"]
    premiere = deposer(gp, structure, destinataire=etat)
    client.force_login(drfip)
    for volume in (5, 60):
        Sollicitation.objects.filter(numero__startswith="CLONE").delete()
        copies(premiere, volume)
        compteurs.COMPTEUR.compacter()
        client.get(reverse("tableau_de_bord_sollicitations"))
        with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as requetes:
            response = client.get(reverse("tableau_de_bord_sollicitations"))
        assert not [q for q in requetes.captured_queries if '"sollicitations_sollicitation"' in q["sql"]]
    assert response.context["lignes"] == [{"statut": S.A_TRAITER, "libelle": "À traiter", "nombre": 61}]
    # One row read per key whatever the number of sollicitations: one état of one service.
    assert CompteurSollicitations.objects.recues_par(drfip).count() == 1
    assert kit.sommes(CompteurSollicitations.objects.recues_par(agents["agent_autre_service"]), "statut") == {}


def test_verifier_compteurs_signale_et_corrige_les_ecarts(capsys, caplog, fournisseur_gp, etat, agents):
    gp, structure = fournisseur_gp
    deposer(gp, structure, destinataire=etat)
    assert tasks.verifier_compteurs() == 0
    # The support desk counted one sollicitation too many, as if a write had bypassed the triggers.
    CompteurSollicitations.objects.create(structure_id=SUPPORT, service=None, statut=S.EN_COURS, nombre=1)
    assert _lu(agents["agent_support"]) == {S.EN_COURS: 1}
    ecart = "structure_id 0, statut EN_COURS : 1 compté(s), 0 sollicitation(s)"
    signaler_puis_corriger(compteurs.COMPTEUR, tasks, ecart, caplog=caplog, capsys=capsys)
    _verifier(agents)


AVANT = [("sollicitations", "0003_ux_libelles_accentues")]


@pytest.mark.django_db(transaction=True)
def test_la_migration_compte_les_sollicitations_d_hier(fournisseur_gp, etat, agents):
    """A database at the previous migration, with sollicitations, migrates forward with its counters right."""
    gp, structure = fournisseur_gp
    a = deposer(gp, structure, destinataire=etat)
    deposer(gp, structure, categorie="AUTRE", code="AUTRE_DEMANDE")
    with avant_les_compteurs(AVANT, "sollicitations_compteursollicitations") as anciennes:
        # Written while the counters did not exist (yesterday's sollicitations).
        anciennes.get_model("sollicitations", "Sollicitation").objects.filter(pk=a.pk).update(statut=S.RESOLUE)
    assert compteurs.COMPTEUR.ecarts() == []
    _verifier(agents)
    assert _lu(agents["agent_drfip"]) == {S.RESOLUE: 1}
    assert _lu(agents["agent_support"]) == {S.A_TRAITER: 1}
    # The triggers came back with the table: a new sollicitation is counted.
    deposer(gp, structure, destinataire=etat)
    assert _lu(agents["agent_drfip"]) == {S.A_TRAITER: 1, S.RESOLUE: 1}
