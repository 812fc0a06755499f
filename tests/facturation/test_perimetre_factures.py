"""``Facture.objects.emises_par`` / ``recues_par`` / ``a_valider_par``: the one perimeter condition of each invoice
application, checked row by row for a user of the structure, of one of its services, of another structure, in
consultation only, without the profile and with a pending rattachement; ``facturation.queries`` agrees with them and
``peut_traiter`` is the same condition in modification."""

import pytest
from guardian.shortcuts import assign_perm

from facturation import queries
from facturation.enums import Cadre, StatutFacture
from facturation.models import Facture
from organisation.enums import Application, Niveau, StatutRattachement, codename
from organisation.models import Rattachement
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory
from tests.organisation.perimetre import utilisateurs_du_perimetre

pytestmark = pytest.mark.django_db
S = StatutFacture
M = Niveau.MODIFICATION


def _utilisateur(structure, application, niveau=M, *, service=None, statut=StatutRattachement.ACTIF):
    user = UtilisateurFactory()
    Rattachement.objects.create(utilisateur=user, structure=structure, service=service, statut=statut)
    assign_perm(f"organisation.{codename(application, niveau)}", user, structure)
    return user


def _pks(qs) -> set[str]:
    return set(qs.values_list("numero", flat=True))


@pytest.fixture
def monde():
    """Two suppliers (A with two services), two recipients (E with two services), two valideurs, and invoices in
    each place: what each kind of user must see is written next to each test."""
    a, b = StructureFactory(), StructureFactory()
    e, f = StructureFactory(publique=True), StructureFactory(publique=True)
    v, w = StructureFactory(), StructureFactory()
    sa1, sa2 = ServiceFactory(structure=a), ServiceFactory(structure=a)
    se1, se2 = ServiceFactory(structure=e), ServiceFactory(structure=e)
    sv = ServiceFactory(structure=v)
    createur = UtilisateurFactory()

    def facture(
        numero,
        fournisseur,
        *,
        service_fournisseur=None,
        destinataire=None,
        service_destinataire=None,
        statut=S.MISE_A_DISPOSITION,
        cadre=Cadre.A1,
        valideur=None,
    ):
        return Facture.objects.create(
            numero=numero,
            fournisseur=fournisseur,
            service_fournisseur=service_fournisseur,
            destinataire=destinataire,
            service_destinataire=service_destinataire,
            statut=statut,
            cadre=cadre,
            valideur=valideur,
            created_by=createur,
        )

    facture("A1-E1", a, service_fournisseur=sa1, destinataire=e, service_destinataire=se1)
    facture("A2-E2", a, service_fournisseur=sa2, destinataire=e, service_destinataire=se2)
    facture("A-E", a, destinataire=e)  # no service on either side
    facture("B-F", b, destinataire=f)
    facture("A1-BROUILLON", a, service_fournisseur=sa1, destinataire=e, service_destinataire=se1, statut=S.BROUILLON)
    facture("A-DEPOSEE", a, destinataire=e, service_destinataire=se1, statut=S.DEPOSEE)
    facture("A-V", a, destinataire=e, service_destinataire=se1, cadre=Cadre.A9, valideur=v, statut=S.A_VALIDER_1)
    facture("B-W", b, destinataire=f, cadre=Cadre.A12, valideur=w, statut=S.A_VALIDER_1)
    facture("A-V-BROUILLON", a, destinataire=e, cadre=Cadre.A9, valideur=v, statut=S.BROUILLON)
    facture("A-V-ABANDONNEE", a, destinataire=e, cadre=Cadre.A9, valideur=v, statut=S.ABANDONNEE)
    facture("A-V-A1", a, destinataire=e, valideur=v, statut=S.MISE_A_DISPOSITION)  # a valideur outside A9/A12
    return {"a": a, "b": b, "e": e, "f": f, "v": v, "w": w, "sa1": sa1, "se1": se1, "sv": sv}


EMISES_A = {"A1-E1", "A2-E2", "A-E", "A1-BROUILLON", "A-DEPOSEE", "A-V", "A-V-BROUILLON", "A-V-ABANDONNEE", "A-V-A1"}


def test_emises_par(monde):
    app = Application.FACTURES_EMISES
    toute_a, service_a1, autre_structure, lecteur = utilisateurs_du_perimetre(
        _utilisateur, monde["a"], app, service=monde["sa1"], autre_structure=monde["b"]
    )
    autre_profil = _utilisateur(monde["a"], Application.FACTURES_RECUES)
    en_attente = _utilisateur(monde["a"], app, statut=StatutRattachement.EN_ATTENTE)

    assert _pks(Facture.objects.emises_par(toute_a)) == EMISES_A
    assert _pks(Facture.objects.emises_par(toute_a, niveau=M)) == EMISES_A
    assert _pks(Facture.objects.emises_par(service_a1)) == {"A1-E1", "A1-BROUILLON"}
    assert _pks(Facture.objects.emises_par(autre_structure)) == {"B-F", "B-W"}
    assert _pks(Facture.objects.emises_par(lecteur)) == EMISES_A
    assert _pks(Facture.objects.emises_par(lecteur, niveau=M)) == set()
    assert _pks(Facture.objects.emises_par(autre_profil)) == set()
    assert _pks(Facture.objects.emises_par(en_attente)) == set()
    # Composable, and what the old door answers.
    assert _pks(Facture.objects.emises_par(toute_a).filter(statut=S.BROUILLON)) == {"A1-BROUILLON", "A-V-BROUILLON"}
    for user in (toute_a, service_a1, autre_structure, lecteur):
        assert _pks(queries.factures_emises(user)) == _pks(Facture.objects.emises_par(user))


RECUES_E = {"A1-E1", "A2-E2", "A-E", "A-V-A1"}  # never a draft, « Déposée » or « À valider »


def test_recues_par(monde):
    app = Application.FACTURES_RECUES
    toute_e, service_e1, autre_structure, lecteur = utilisateurs_du_perimetre(
        _utilisateur, monde["e"], app, service=monde["se1"], autre_structure=monde["f"]
    )
    autre_profil = _utilisateur(monde["e"], Application.FACTURES_EMISES)

    assert _pks(Facture.objects.recues_par(toute_e)) == RECUES_E
    assert _pks(Facture.objects.recues_par(service_e1)) == {"A1-E1"}
    assert _pks(Facture.objects.recues_par(autre_structure)) == {"B-F"}
    assert _pks(Facture.objects.recues_par(lecteur)) == RECUES_E
    assert _pks(Facture.objects.recues_par(lecteur, niveau=M)) == set()
    assert _pks(Facture.objects.recues_par(autre_profil)) == set()
    for user in (toute_e, service_e1, autre_structure, lecteur):
        assert _pks(queries.factures_recues(user)) == _pks(Facture.objects.recues_par(user))


def test_peut_traiter_est_la_condition_en_modification(monde):
    """``peut_traiter`` answers exactly ``recues_par(user, MODIFICATION)`` for every invoice: a service-level agent
    not for another service's, a reader never, nobody for an invoice not yet made available to the recipient."""
    app = Application.FACTURES_RECUES
    toute_e, service_e1, autre_structure, lecteur = utilisateurs_du_perimetre(
        _utilisateur, monde["e"], app, service=monde["se1"], autre_structure=monde["f"]
    )
    attendu = {
        toute_e: RECUES_E,
        service_e1: {"A1-E1"},
        autre_structure: {"B-F"},
        lecteur: set(),
    }
    for user, numeros in attendu.items():
        assert {f.numero for f in Facture.objects.all() if queries.peut_traiter(user, f)} == numeros
        assert _pks(Facture.objects.recues_par(user, niveau=M)) == numeros


def test_a_valider_par(monde):
    app = Application.FACTURES_A_VALIDER
    # A user of one service of the valideur sees all: the valideur is a structure.
    toute_v, service_v, autre_structure, lecteur = utilisateurs_du_perimetre(
        _utilisateur, monde["v"], app, service=monde["sv"], autre_structure=monde["w"]
    )
    fournisseur = _utilisateur(monde["a"], app)  # the profile on the supplier is not the valideur's

    assert _pks(Facture.objects.a_valider_par(toute_v)) == {"A-V"}
    assert _pks(Facture.objects.a_valider_par(service_v)) == {"A-V"}
    assert _pks(Facture.objects.a_valider_par(autre_structure)) == {"B-W"}
    assert _pks(Facture.objects.a_valider_par(lecteur)) == {"A-V"}
    assert _pks(Facture.objects.a_valider_par(lecteur, niveau=M)) == set()
    assert _pks(Facture.objects.a_valider_par(fournisseur)) == set()
    for user in (toute_v, service_v, autre_structure, lecteur):
        assert _pks(queries.factures_a_valider(user)) == _pks(Facture.objects.a_valider_par(user))


def test_perimetre_vide_sans_requete_sur_les_factures(monde, django_assert_num_queries):
    """A user with no perimeter costs the one read of their rights; the invoices are not queried."""
    personne = UtilisateurFactory()
    with django_assert_num_queries(1):
        assert list(Facture.objects.recues_par(personne)) == []
        assert not Facture.objects.emises_par(personne).exists()
        assert Facture.objects.a_valider_par(personne).count() == 0
