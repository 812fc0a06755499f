"""``manage.py verifier_historiques``: every history chain is recomputed; a row altered in the database (raw SQL,
trigger disabled as an attacker with the owner role would) is reported as the first broken link, exit code 1."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chorus.management.commands.verifier_historiques import modeles_historiques
from facturation.models import HistoriqueFacture
from facturation.services import envoi
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db


def _verifier() -> tuple[str, str]:
    sortie, erreurs = io.StringIO(), io.StringIO()
    call_command("verifier_historiques", stdout=sortie, stderr=erreurs)
    return sortie.getvalue(), erreurs.getvalue()


def _falsifier(sql: str, params: list) -> None:
    table = HistoriqueFacture._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction has deferred checks pending
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_immuable")
        cursor.execute(sql.format(table=table), params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_immuable")


@pytest.fixture
def facture_envoyee(fournisseur_gp, etat, client):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    from django.urls import reverse

    from facturation.models import Facture

    client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "valider"})
    facture = Facture.objects.get()
    envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, acting_user=gp, facture=facture)
    assert HistoriqueFacture.objects.filter(objet=facture).count() == 2  # Déposée, Mise à disposition
    return facture


def test_tous_les_historiques_sont_verifies():
    labels = {m._meta.label for m in modeles_historiques()}
    assert {"facturation.HistoriqueFacture", "organisation.HistoriqueStructure", "travaux.HistoriquePiece"} <= labels
    assert "sollicitations.HistoriqueSollicitation" in labels


def test_chaines_intactes_code_zero(facture_envoyee):
    sortie, erreurs = _verifier()
    assert "Tous les historiques sont intacts." in sortie
    assert "OK    facturation.HistoriqueFacture" in sortie and not erreurs


def test_ligne_modifiee_signalee_premier_maillon_rompu(facture_envoyee):
    lignes = list(HistoriqueFacture.objects.filter(objet=facture_envoyee).order_by("created_at", "id"))
    cible = lignes[1]
    _falsifier("UPDATE {table} SET motif = %s WHERE id = %s", ["motif réécrit", cible.pk])
    with pytest.raises(CommandError, match="1 table\\(s\\) d'historique ont une chaîne rompue"):
        _verifier()
    erreurs = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verifier_historiques", stdout=io.StringIO(), stderr=erreurs)
    message = erreurs.getvalue()
    assert "ROMPU facturation.HistoriqueFacture" in message
    assert f"objet n° {facture_envoyee.pk}, ligne n° {cible.pk} (2e de sa chaîne)" in message
    assert "la ligne a été modifiée" in message


def test_ligne_supprimee_signalee_sur_la_suivante(facture_envoyee):
    lignes = list(HistoriqueFacture.objects.filter(objet=facture_envoyee).order_by("created_at", "id"))
    _falsifier("DELETE FROM {table} WHERE id = %s", [lignes[0].pk])
    erreurs = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verifier_historiques", stdout=io.StringIO(), stderr=erreurs)
    assert f"ligne n° {lignes[1].pk} (1e de sa chaîne)" in erreurs.getvalue()
    assert "une ligne a été supprimée, insérée ou modifiée avant elle" in erreurs.getvalue()


def test_code_de_sortie_non_nul(facture_envoyee):
    # The exit code a cron job sees: CommandError makes manage.py exit with 1 (checked on the real entry point).
    from django.core.management import ManagementUtility

    lignes = list(HistoriqueFacture.objects.filter(objet=facture_envoyee).order_by("created_at", "id"))
    _falsifier("UPDATE {table} SET commentaire = %s WHERE id = %s", ["falsifié", lignes[0].pk])
    with pytest.raises(SystemExit) as sortie:
        ManagementUtility(["manage.py", "verifier_historiques"]).execute()
    assert sortie.value.code == 1
