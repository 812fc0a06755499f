"""``Sollicitation.objects.emises_par`` / ``recues_par``: the one perimeter condition of each application, checked
row by row for a user of the structure, of one of its services, of another structure, in consultation only, and for
the support desk; ``sollicitations.queries`` agrees with them."""

import itertools

import pytest

from organisation.enums import Application, Niveau
from sollicitations.models import Sollicitation, SousCategorie
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory
from tests.organisation.perimetre import utilisateurs_du_perimetre
from tests.sollicitations.conftest import rattacher

pytestmark = pytest.mark.django_db
M = Niveau.MODIFICATION


def _objets(qs) -> set[str]:
    return set(qs.values_list("objet", flat=True))


@pytest.fixture
def monde():
    a, b = StructureFactory(), StructureFactory()
    e, f = StructureFactory(publique=True), StructureFactory(publique=True)
    sa1, sa2 = ServiceFactory(structure=a), ServiceFactory(structure=a)
    se1, se2 = ServiceFactory(structure=e), ServiceFactory(structure=e)
    sc = SousCategorie.objects.select_related("categorie").first()
    emetteur = UtilisateurFactory()
    numeros = itertools.count(1)

    def sollicitation(
        objet, emettrice, destinataire, *, service_emetteur=None, service_destinataire=None, au_support=False
    ):
        Sollicitation.objects.create(
            numero=f"SOL-{next(numeros)}",
            objet=objet,
            message="…",
            emetteur=emetteur,
            courriel_contact="a@b.fr",
            structure_emettrice=emettrice,
            service_emetteur=service_emetteur,
            structure_destinataire=destinataire,
            service_destinataire=service_destinataire,
            au_support=au_support,
            categorie=sc.categorie,
            sous_categorie=sc,
        )

    sollicitation("A1-E1", a, e, service_emetteur=sa1, service_destinataire=se1)
    sollicitation("A2-E2", a, e, service_emetteur=sa2, service_destinataire=se2)
    sollicitation("A-E", a, e)
    sollicitation("B-F", b, f)
    # Sent to E, then « Mauvaise affectation »: at the support now, E no longer sees it.
    sollicitation("A1-SUPPORT", a, e, service_emetteur=sa1, service_destinataire=se1, au_support=True)
    return {"a": a, "b": b, "e": e, "f": f, "sa1": sa1, "se1": se1}


def _utilisateur(structure, application, niveau=M, *, service=None):
    return rattacher(UtilisateurFactory(), structure, service=service, profils={application: niveau})


def test_emises_par(monde):
    app = Application.SOLLICITATIONS_EMISES
    toute_a, service_a1, autre_structure, lecteur = utilisateurs_du_perimetre(
        _utilisateur, monde["a"], app, service=monde["sa1"], autre_structure=monde["b"]
    )
    autre_profil = _utilisateur(monde["a"], Application.SOLLICITATIONS_RECUES)

    assert _objets(Sollicitation.objects.emises_par(toute_a)) == {"A1-E1", "A2-E2", "A-E", "A1-SUPPORT"}
    assert _objets(Sollicitation.objects.emises_par(service_a1)) == {"A1-E1", "A1-SUPPORT"}
    assert _objets(Sollicitation.objects.emises_par(autre_structure)) == {"B-F"}
    assert _objets(Sollicitation.objects.emises_par(lecteur)) == {"A1-E1", "A2-E2", "A-E", "A1-SUPPORT"}
    assert _objets(Sollicitation.objects.emises_par(lecteur, niveau=M)) == set()
    assert _objets(Sollicitation.objects.emises_par(autre_profil)) == set()
    assert _objets(Sollicitation.objects.emises_par(toute_a).filter(au_support=True)) == {"A1-SUPPORT"}


def test_recues_par(monde, agent_support):
    app = Application.SOLLICITATIONS_RECUES
    toute_e, service_e1, autre_structure, lecteur = utilisateurs_du_perimetre(
        _utilisateur, monde["e"], app, service=monde["se1"], autre_structure=monde["f"]
    )
    autre_profil = _utilisateur(monde["e"], Application.SOLLICITATIONS_EMISES)
    support_et_e = rattacher(agent_support, monde["e"], profils={app: M})

    assert _objets(Sollicitation.objects.recues_par(toute_e)) == {"A1-E1", "A2-E2", "A-E"}
    assert _objets(Sollicitation.objects.recues_par(service_e1)) == {"A1-E1"}
    assert _objets(Sollicitation.objects.recues_par(autre_structure)) == {"B-F"}
    assert _objets(Sollicitation.objects.recues_par(lecteur)) == {"A1-E1", "A2-E2", "A-E"}
    assert _objets(Sollicitation.objects.recues_par(lecteur, niveau=M)) == set()
    assert _objets(Sollicitation.objects.recues_par(autre_profil)) == set()
    # The support desk: what is routed to the support, besides its own structure's.
    assert _objets(Sollicitation.objects.recues_par(support_et_e)) == {"A1-E1", "A2-E2", "A-E", "A1-SUPPORT"}


def test_le_support_seul_voit_le_support(monde, agent_support):
    assert _objets(Sollicitation.objects.recues_par(agent_support)) == {"A1-SUPPORT"}
    assert _objets(Sollicitation.objects.emises_par(agent_support)) == set()
