"""Who is told about an invoice: the users who can see it — attached to the whole structure, or to the invoice's
service — never a user of another service of the same structure (access matrix, ticket 13 item 11)."""

import pytest

from chorus.models import Message
from organisation import services as org_services
from tests.factories import utilisateur_de
from tests.facturation.factories import FactureFactory

pytestmark = pytest.mark.django_db


def _agent(structure, service=None):
    return utilisateur_de(structure, service=service, profils=org_services.profils_par_defaut())


def test_nouvelle_facture_annoncee_au_service_destinataire_et_a_la_structure_seulement(
    fournisseur_gp, etat, django_capture_on_commit_callbacks
):
    du_service = _agent(etat, etat.services.get(code="DRFIP_IDF"))
    d_un_autre_service = _agent(etat, etat.services.get(code="FACTURES_PUBLIQUES"))
    de_la_structure = _agent(etat)
    with django_capture_on_commit_callbacks(execute=True):
        facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F-SERVICE", recue=True)
    assert facture.service_destinataire.code == "DRFIP_IDF"

    def annonces(user):
        return Message.objects.filter(destinataire=user, sujet__contains="F-SERVICE").count()

    assert annonces(du_service) >= 1 and annonces(de_la_structure) >= 1
    assert annonces(d_un_autre_service) == 0


def test_statuts_d_une_facture_sans_service_pas_annonces_aux_utilisateurs_d_un_service(
    fournisseur_gp, etat, django_capture_on_commit_callbacks
):
    gp, structure = fournisseur_gp
    service = org_services.creer_service(acting_user=gp, structure=structure, code="AGENCE", libelle="Agence")
    agent_agence = _agent(structure, service)
    with django_capture_on_commit_callbacks(execute=True):
        facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F-SANS-SERVICE", recue=True)
    assert facture.service_fournisseur is None
    assert Message.objects.filter(destinataire=gp, sujet__contains="F-SANS-SERVICE").exists()
    assert not Message.objects.filter(destinataire=agent_agence, sujet__contains="F-SANS-SERVICE").exists()
