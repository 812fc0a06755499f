"""``queries.perimetre``: the constant-id form of the scoping rule must agree with ``structures_de`` and
``services_visibles`` for every mix of rattachements and profiles."""

import random

import pytest
from guardian.shortcuts import assign_perm

from organisation import queries
from organisation.enums import Application, Niveau, StatutRattachement, codename
from organisation.models import Rattachement
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory

APP = Application.FACTURES_EMISES


def _attendu(user, niveau):
    structures, services = set(), set()
    for structure in queries.structures_de(user, APP, niveau):
        visibles = set(queries.services_visibles(user, structure).values_list("pk", flat=True))
        au_niveau_structure = Rattachement.objects.filter(
            utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF, service__isnull=True
        ).exists()
        if au_niveau_structure:
            structures.add(structure.pk)
        else:
            services |= visibles
    return structures, services


@pytest.mark.parametrize("graine", range(12))
def test_perimetre_egal_a_la_regle_de_reference(db, graine):
    hasard = random.Random(graine)
    user = UtilisateurFactory()
    for _ in range(4):
        structure = StructureFactory()
        services = [ServiceFactory(structure=structure) for _ in range(2)]
        for cible in [None, *services]:
            if hasard.random() < 0.5:
                statut = hasard.choice(
                    [StatutRattachement.ACTIF, StatutRattachement.ACTIF, StatutRattachement.EN_ATTENTE]
                )
                Rattachement.objects.create(utilisateur=user, structure=structure, service=cible, statut=statut)
        niveau = hasard.choice([None, Niveau.CONSULTATION, Niveau.MODIFICATION])
        if niveau:
            assign_perm(f"organisation.{codename(APP, niveau)}", user, structure)
        if hasard.random() < 0.3:  # another application's profile never counts
            assign_perm(f"organisation.{codename(Application.FACTURES_RECUES, Niveau.MODIFICATION)}", user, structure)
    for niveau in (Niveau.CONSULTATION, Niveau.MODIFICATION):
        p = queries.perimetre(user, APP, niveau)
        structures, services = _attendu(user, niveau)
        assert (set(p.structures), set(p.services)) == (structures, services)
        assert bool(p) == bool(structures or services)


def test_perimetre_vide_sans_connexion(db):
    from django.contrib.auth.models import AnonymousUser

    assert not queries.perimetre(AnonymousUser(), APP)


def test_perimetre_une_seule_requete(db, django_assert_num_queries):
    user = UtilisateurFactory()
    for _ in range(3):
        structure = StructureFactory()
        Rattachement.objects.create(utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF)
        assign_perm(f"organisation.{codename(APP, Niveau.MODIFICATION)}", user, structure)
    with django_assert_num_queries(1):
        p = queries.perimetre(user, APP, Niveau.MODIFICATION)
    assert len(p.structures) == 3


def test_a_application_une_requete_pour_toutes_les_tuiles(db, django_assert_num_queries):
    user = UtilisateurFactory()
    structure, ailleurs = StructureFactory(), StructureFactory()
    Rattachement.objects.create(utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF)
    Rattachement.objects.create(utilisateur=user, structure=ailleurs, statut=StatutRattachement.EN_ATTENTE)
    assign_perm(f"organisation.{codename(APP, Niveau.CONSULTATION)}", user, structure)
    assign_perm(f"organisation.{codename(Application.ORGANISATION, Niveau.MODIFICATION)}", user, ailleurs)
    with django_assert_num_queries(1):
        assert queries.a_application(user, APP)
        assert not queries.a_application(user, APP, Niveau.MODIFICATION)  # consultation only
        assert not queries.a_application(user, Application.ORGANISATION, Niveau.MODIFICATION)  # not attached yet
        assert not queries.a_application(user, Application.FACTURES_RECUES)
