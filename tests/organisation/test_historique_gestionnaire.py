"""« Historique des actions du gestionnaire »: what happened on the structures I manage, from the append-only
history tables; scoped to my structures, paginated by keyset across the four tables, filterable, exportable."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from organisation import queries, services
from organisation.models import Approbation
from tests import outils
from tests.factories import UtilisateurFactory, rattacher, structure_privee
from tests.outils import contenu

pytestmark = pytest.mark.django_db


@pytest.fixture
def deux_gp():
    gp, autre_gp = UtilisateurFactory(prenom="Gaëlle", nom="Perrin"), UtilisateurFactory(prenom="Omar", nom="Roux")
    return gp, structure_privee(gp, "ACME SAS"), autre_gp, structure_privee(autre_gp, "Concurrent SARL")


def test_actions_des_structures_gerees_seulement(client, deux_gp):
    gp, acme, autre_gp, concurrent = deux_gp
    julien = UtilisateurFactory(prenom="Julien", nom="Bernard")
    services.demander_rattachement(utilisateur=julien, structure=acme, commentaire="Service comptable")
    services.decider(approbation=Approbation.objects.get(demandeur=julien), acting_user=gp, approuver=True)
    services.modifier_structure(acting_user=gp, structure=acme, changements={"telephone": "0472000000"})
    intrus = UtilisateurFactory(prenom="Ines", nom="Trus")
    services.demander_rattachement(utilisateur=intrus, structure=concurrent, commentaire="Chez le concurrent")

    client.force_login(gp)
    assert "Historique des actions du gestionnaire" in outils.texte(client.get(reverse("domaines")))
    response = client.get(reverse("historique_gestionnaire"))
    assert response.status_code == 200
    texte = outils.texte(response)
    assert "Rattachement de Julien Bernard" in texte and "Demande de rattachement de Julien Bernard" in texte
    assert "En attente d'approbation → Actif" in texte and "Demandé → Approuvé" in texte
    assert "Modification de la structure ACME SAS" in texte
    assert "Gaëlle Perrin" in texte  # the actor of the approval
    assert "Ines Trus" not in texte and "Concurrent SARL" not in texte


def test_reserve_aux_gestionnaires(client, deux_gp):
    client.force_login(UtilisateurFactory())
    assert client.get(reverse("historique_gestionnaire")).status_code == 403
    assert "Historique des actions du gestionnaire" not in outils.texte(client.get(reverse("domaines")))


def test_pagination_par_curseur_sur_les_quatre_tables(client, deux_gp, django_assert_max_num_queries):
    gp, acme, _autre, _c = deux_gp
    debut = timezone.now()
    with time_machine.travel(debut, tick=False) as voyage:  # many rows share one timestamp: the keyset must hold
        for i in range(30):
            user = UtilisateurFactory()
            services.demander_rattachement(utilisateur=user, structure=acme, commentaire=f"Demande {i}")
            if i % 3 == 0:
                voyage.shift(timedelta(seconds=1))
        services.modifier_structure(acting_user=gp, structure=acme, changements={"telephone": "0472000000"})
    attendu = queries.historique_gestionnaire(gp, taille=10_000)[0]
    assert len(attendu) > 60
    vus, apres = [], ""
    client.force_login(gp)
    while True:
        with django_assert_max_num_queries(14):
            response = client.get(reverse("historique_gestionnaire"), {"apres": apres} if apres else {})
        vus += response.context["lignes"]
        apres = response.context["suivante"]
        if not apres:
            break
    assert vus == attendu  # nothing lost, nothing twice, newest first
    dates = [ligne["date"] for ligne in vus]
    assert dates == sorted(dates, reverse=True)


def test_filtres_et_export(client, deux_gp):
    gp, acme, _autre, _c = deux_gp
    seconde = structure_privee(gp, "ACME Services")
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        services.demander_rattachement(utilisateur=UtilisateurFactory(nom="Ancien"), structure=acme, commentaire="x")
    services.demander_rattachement(utilisateur=UtilisateurFactory(nom="Recent"), structure=seconde, commentaire="y")
    client.force_login(gp)

    texte = outils.texte(client.get(reverse("historique_gestionnaire"), {"structure": seconde.pk}))
    assert "Recent" in texte and "Ancien" not in texte
    hier = (timezone.localdate() - timedelta(days=1)).isoformat()
    texte = outils.texte(client.get(reverse("historique_gestionnaire"), {"du": hier}))
    assert "Recent" in texte and "Ancien" not in texte

    response = client.get(reverse("historique_gestionnaire"), {"du": hier, "au": "2020-01-01"})
    assert "La date de fin doit être postérieure ou égale à la date de début." in outils.texte(response)
    assert response.context["lignes"] == []

    response = client.get(reverse("historique_gestionnaire"), {"structure": seconde.pk, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    contenu = b"".join(response.streaming_content).decode("utf-8-sig")
    lignes = list(csv.reader(io.StringIO(contenu), delimiter=";"))
    assert lignes[0] == ["Date", "Acteur", "Structure", "Objet", "Action", "Motif", "Commentaire"]
    assert any("Recent" in ligne[3] for ligne in lignes[1:]) and not any("Ancien" in ligne[3] for ligne in lignes)


def test_structure_d_un_autre_refusee_dans_le_filtre(client, deux_gp):
    gp, _acme, _autre, concurrent = deux_gp
    client.force_login(gp)
    response = client.get(reverse("historique_gestionnaire"), {"structure": concurrent.pk})
    assert response.status_code == 200 and response.context["lignes"] == []
    assert "Sélectionnez un choix valide" in outils.texte(response)


def test_export_des_utilisateurs_de_mes_structures(client, deux_gp):
    import openpyxl

    gp, acme, autre_gp, _concurrent = deux_gp
    rattacher(gp, UtilisateurFactory(nom="Bernard"), acme)
    client.force_login(gp)
    response = client.get(reverse("exporter_utilisateurs"))
    lignes = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:3] == ["Nom", "Prénom", "Adresse électronique"]
    noms = {ligne[0]: ligne for ligne in lignes[1:]}
    assert set(noms) == {"Perrin", "Bernard"}  # never the other structure's GP
    assert noms["Perrin"][7] == "Gestionnaire principal" and "Organisation modification" in noms["Perrin"][9]
    assert noms["Bernard"][7] == "Utilisateur"

    response = client.get(reverse("exporter_utilisateurs_xlsx"))
    feuille = openpyxl.load_workbook(io.BytesIO(contenu(response))).active
    assert feuille.max_row == 3

    client.force_login(UtilisateurFactory())
    assert client.get(reverse("exporter_utilisateurs")).status_code == 403
