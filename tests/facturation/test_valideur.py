"""« Factures à valider »: the valideur's side of the A9 (sous-traitant) and A12 (cotraitant) invoices — scoping,
the list (filters, keyset pagination, bounded queries), the invoice, « Valider » / « Refuser », the tacit
validation after 15 days and the e-mails."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from chorus.models import OutboxMessage
from facturation import queries, services, tasks
from facturation.enums import Cadre, StatutFacture
from facturation.models import Facture, HistoriqueFacture
from tests import outils
from tests.factories import UtilisateurFactory, siret_aleatoire, structure_privee, utilisateur_de
from tests.facturation.en_volume import en_masse, verifier_pagination_par_curseur
from tests.facturation.factories import FactureFactory, fournisseur_pret, ligne, recycler
from tests.facturation.factories import piece as piece_jointe

pytestmark = pytest.mark.django_db
S = StatutFacture


@pytest.fixture
def titulaire():
    """The valideur structure (the titulaire of the contract) and its GP, who holds every profile there."""
    gp = UtilisateurFactory(email="titulaire@exemple.fr", prenom="Tom", nom="Titulaire")
    return gp, structure_privee(gp, "Titulaire Général SA")


@pytest.fixture
def lecteur(titulaire):
    """A user of the titulaire with the « Factures à valider » profile in consultation only."""
    _, structure = titulaire
    return utilisateur_de(
        structure, email="lecteur@exemple.fr", profils={"FACTURES_A_VALIDER": "consultation"}, role="UTILISATEUR"
    )


@pytest.fixture
def autre_valideur():
    gp = UtilisateurFactory(email="autre@exemple.fr")
    return gp, structure_privee(gp, "Autre Titulaire SARL")


def _a9(fournisseur_gp, etat, valideur, numero, *, cadre=Cadre.A9, piece=False, commentaire=""):
    """An A9 invoice sent by the sous-traitant: it is « À valider » by ``valideur``."""
    facture = FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=etat,
        valideur=valideur,
        numero=numero,
        cadre=cadre,
        a_valider=True,
        numero_engagement="EJ-9",
        commentaire=commentaire,
        lignes=[
            ligne("Lot 2 – plomberie", reference="LOT-2", quantite=2, prix_unitaire_ht="250"),
            ligne("Fournitures", prix_unitaire_ht="100", taux_tva="5.5"),
        ],
        pieces=[piece_jointe(nom="bl.pdf", contenu=b"%PDF-1.4 bon de livraison")] if piece else [],
    )
    assert facture.statut == S.A_VALIDER_1
    return facture


def _numeros(response) -> list[str]:
    return [f["numero"] for f in response.context["factures"]]


# --- Scoping ---------------------------------------------------------------------------------------------------


def test_la_liste_montre_au_valideur_ses_factures_a_valider(client, fournisseur_gp, etat, titulaire, autre_valideur):
    gp_titulaire, structure_titulaire = titulaire
    _, structure_autre = autre_valideur
    _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    _a9(fournisseur_gp, etat, structure_autre, "ST-2", cadre=Cadre.A12)
    client.force_login(gp_titulaire)
    response = client.get(reverse("factures_a_valider"))
    assert _numeros(response) == ["ST-1"]
    texte = outils.texte(response)
    assert "Bâtiments Martin SAS" in texte and "ETAT" in texte and "A9" in texte and "À valider" in texte
    assert "ST-2" not in texte


def test_queries_factures_a_valider_jamais_les_brouillons_ni_hors_perimetre(fournisseur_gp, etat, titulaire, lecteur):
    gp_titulaire, structure_titulaire = titulaire
    gp, _ = fournisseur_gp
    envoyee = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    Facture.objects.create(
        fournisseur=envoyee.fournisseur, valideur=structure_titulaire, cadre=Cadre.A9, numero="BR-1", created_by=gp
    )
    assert list(queries.factures_a_valider(gp_titulaire)) == [envoyee]
    assert list(queries.factures_a_valider(lecteur)) == [envoyee]
    assert not queries.factures_a_valider(lecteur, "modification").exists()
    assert not queries.factures_a_valider(gp).exists()  # the sous-traitant is not the valideur


def test_une_facture_d_un_autre_valideur_est_introuvable(client, fournisseur_gp, etat, titulaire, autre_valideur):
    _, structure_titulaire = titulaire
    gp_autre, _ = autre_valideur
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1", piece=True)
    client.force_login(gp_autre)
    assert _numeros(client.get(reverse("factures_a_valider"))) == []
    piece = facture.pieces_jointes.get()
    for url in (
        reverse("facture_a_valider", args=[facture.pk]),
        reverse("valider_facture_a_valider", args=[facture.pk]),
        reverse("refuser_facture_a_valider", args=[facture.pk]),
        reverse("telecharger_facture_a_valider", args=[facture.pk]),
        reverse("telecharger_piece_jointe_a_valider", args=[facture.pk, piece.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("valider_facture_a_valider", args=[facture.pk])).status_code == 404
    facture.refresh_from_db()
    assert facture.statut == S.A_VALIDER_1


def test_en_consultation_pas_de_boutons_et_post_refuse(client, fournisseur_gp, etat, titulaire, lecteur):
    _, structure_titulaire = titulaire
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    client.force_login(lecteur)
    response = client.get(reverse("facture_a_valider", args=[facture.pk]))
    assert response.status_code == 200
    assert 'data-testid="actions-valideur"' not in response.content.decode()
    assert "Confirmer" not in outils.texte(response)
    assert client.get(reverse("valider_facture_a_valider", args=[facture.pk])).status_code == 403
    assert client.post(reverse("valider_facture_a_valider", args=[facture.pk])).status_code == 403
    response = client.post(reverse("refuser_facture_a_valider", args=[facture.pk]), {"motif": "ERREUR_MONTANT"})
    assert response.status_code == 403
    facture.refresh_from_db()
    assert facture.statut == S.A_VALIDER_1
    assert facture.historique.count() == 2  # Déposée, À valider


def test_l_application_est_dans_les_domaines_des_seuls_valideurs(client, titulaire, lecteur):
    gp_titulaire, _ = titulaire
    client.force_login(lecteur)
    response = client.get(reverse("domaines"))
    assert reverse("factures_a_valider") in response.content.decode()
    sans_profil = UtilisateurFactory()
    client.force_login(sans_profil)
    assert reverse("factures_a_valider") not in client.get(reverse("domaines")).content.decode()
    assert _numeros(client.get(reverse("factures_a_valider"))) == []


# --- The list: filters, keyset pagination, bounded queries ------------------------------------------------------


def test_filtres_statut_numero_et_fournisseur(client, fournisseur_gp, etat, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    autre = fournisseur_pret(raison_sociale="Électricité Dupont")
    a_valider = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    validee = _a9(fournisseur_gp, etat, structure_titulaire, "ST-2")
    refusee = _a9(fournisseur_gp, etat, structure_titulaire, "ST-3")
    dupont = _a9(autre, etat, structure_titulaire, "DUP-1", cadre=Cadre.A12)
    services.valider_facture(acting_user=gp_titulaire, facture=validee, accepter=True)
    services.refuser_facture(acting_user=gp_titulaire, facture=refusee, motif="PRESTATION_NON_REALISEE")
    client.force_login(gp_titulaire)
    url = reverse("factures_a_valider")
    assert _numeros(client.get(url)) == ["DUP-1", "ST-1"]  # « À valider » by default, newest first
    assert _numeros(client.get(url, {"statut": "A_VALIDER"})) == ["DUP-1", "ST-1"]
    assert _numeros(client.get(url, {"statut": "VALIDEE"})) == ["ST-2"]
    assert _numeros(client.get(url, {"statut": "REFUSEE"})) == ["ST-3"]
    assert _numeros(client.get(url, {"statut": "TOUTES"})) == ["DUP-1", "ST-3", "ST-2", "ST-1"]
    assert _numeros(client.get(url, {"statut": "TOUTES", "numero": "st-"})) == ["ST-3", "ST-2", "ST-1"]
    assert _numeros(client.get(url, {"statut": "TOUTES", "fournisseur": "dupont"})) == ["DUP-1"]
    siret = a_valider.fournisseur.identifiant
    assert _numeros(client.get(url, {"statut": "TOUTES", "fournisseur": siret})) == ["ST-3", "ST-2", "ST-1"]
    assert _numeros(client.get(url, {"fournisseur": dupont.fournisseur.identifiant[:9]})) == ["DUP-1"]
    texte = outils.texte(client.get(url, {"statut": "VALIDEE"}))
    assert "Mise à disposition du destinataire" in texte  # the current status of a validated invoice
    response = client.get(url, {"statut": "INCONNU"})
    assert 'data-testid="erreurs-filtres"' in response.content.decode() and _numeros(response) == []


def _en_masse(fournisseur_gp, valideur, nombre, statut=S.A_VALIDER_1):
    return en_masse(fournisseur_gp, nombre, valideur=valideur, cadre=Cadre.A9, statut=statut)


def test_pagination_par_curseur_sans_offset(client, fournisseur_gp, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    _en_masse(fournisseur_gp, structure_titulaire, 55)
    client.force_login(gp_titulaire)
    url = reverse("factures_a_valider")
    verifier_pagination_par_curseur(client, url)


def test_pages_en_nombre_de_requetes_borne(client, fournisseur_gp, etat, titulaire, django_assert_max_num_queries):
    gp_titulaire, structure_titulaire = titulaire
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1", piece=True)
    client.force_login(gp_titulaire)
    client.get(reverse("factures_a_valider"))  # warm the session and the per-process caches
    with django_assert_max_num_queries(5):
        assert len(client.get(reverse("factures_a_valider"), {"statut": "TOUTES"}).context["factures"]) == 1
    _en_masse(fournisseur_gp, structure_titulaire, 60)
    # 50 rows cost what one row costs: the deadline is a subquery of the one list query, never a query per row.
    with django_assert_max_num_queries(5):
        assert len(client.get(reverse("factures_a_valider"), {"statut": "TOUTES"}).context["factures"]) == 50
    with django_assert_max_num_queries(10):
        assert client.get(reverse("facture_a_valider", args=[facture.pk])).status_code == 200


def test_les_index_servent_la_liste_et_la_validation_tacite(fournisseur_gp, titulaire):
    """An index of migration 0005 serves each list query in its order (no sort); the tacit validation's selection
    reads only the invoices « À valider »."""
    _, structure_titulaire = titulaire
    _en_masse(fournisseur_gp, structure_titulaire, 40)
    gp, structure = fournisseur_gp
    Facture.objects.bulk_create(
        Facture(fournisseur=structure, cadre=Cadre.A1, statut=S.MISE_A_DISPOSITION, numero=f"A1-{i}", created_by=gp)
        for i in range(300)
    )
    Facture.objects.filter(numero__gte="M-005", valideur__isnull=False).update(statut=S.MISE_A_DISPOSITION)
    requetes = {
        "À valider": queries.factures_a_valider(titulaire[0]).filter(statut__in=[S.A_VALIDER_1]).order_by("-id"),
        "Toutes": queries.factures_a_valider(titulaire[0]).order_by("-id"),
        "tacite": Facture.objects.filter(statut=S.A_VALIDER_1, valideur__isnull=False).order_by("id"),
    }
    plans = {}

    def expliquer(cursor, nom):
        sql, params = requetes[nom][:51].query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plans[nom] = "\n".join(row[0] for row in cursor.fetchall())

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE facturation_facture")
        cursor.execute("SET LOCAL enable_seqscan = off")
        expliquer(cursor, "tacite")
        # On a table this small the planner may prefer a sort: forbidding it shows which index serves each order.
        cursor.execute("SET LOCAL enable_sort = off")
        expliquer(cursor, "À valider")
        expliquer(cursor, "Toutes")
    assert "facture_a_valider_idx" in plans["À valider"] and "Sort" not in plans["À valider"], plans["À valider"]
    assert "facture_valideur_idx" in plans["Toutes"] and "Sort" not in plans["Toutes"], plans["Toutes"]
    assert "facture_a_valider_idx" in plans["tacite"], plans["tacite"]


def test_le_filtre_fournisseur_lit_l_index_du_valideur_et_du_fournisseur(fournisseur_gp, titulaire):
    """Filtered by one supplier, the list reads that supplier's invoices for the valideur in its order (the index of
    migration 0019), neither the valideur's whole list nor the supplier's whole index."""
    gp_titulaire, structure_titulaire = titulaire
    gp, structure = fournisseur_gp
    autre = structure_privee(gp, "Autre Sous-Traitant SARL")
    siennes = _en_masse(fournisseur_gp, structure_titulaire, 20)
    # Newer than the supplier's: the valideur's other invoices come first in the list's order.
    en_masse((gp, autre), 1000, prefixe="AUTRE", valideur=structure_titulaire, cadre=Cadre.A9, statut=S.A_VALIDER_1)
    requete = queries.factures_a_valider(gp_titulaire).filter(fournisseur_id__in=[structure.pk]).order_by("-id")
    assert [f.pk for f in requete] == sorted((f.pk for f in siennes), reverse=True)
    plan = outils.plan(requete.all()[:51], "seqscan", "sort")
    assert "facture_valideur_fourn_idx" in plan and "Sort" not in plan, plan


# --- The invoice and the decisions ------------------------------------------------------------------------------


def test_la_facture_pour_le_valideur(client, fournisseur_gp, etat, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1", piece=True, commentaire="Situation n° 3")
    client.force_login(gp_titulaire)
    response = client.get(reverse("facture_a_valider", args=[facture.pk]))
    texte = outils.texte(response)
    for attendu in (
        "Bâtiments Martin SAS",
        facture.fournisseur.identifiant,
        "ETAT",
        "DRFIP_IDF",
        "Titulaire Général SA",
        "A9 – Dépôt par un sous-traitant d'une facture",
        "M-2026-7",
        "EJ-9",
        "Lot 2 – plomberie",
        "5,5 %",
        "Récapitulatif de TVA",
        "Situation n° 3",
        "Bon de livraison",
        "Télécharger la facture",
        "Valider",
        "Refuser",
    ):
        assert attendu in texte, attendu
    echeance = timezone.localtime(facture.historique.get(statut=S.A_VALIDER_1).created_at + timedelta(days=15))
    assert "validée tacitement le" in texte and f"{echeance:%d/%m/%Y à %H:%M}" in texte
    assert [h.libelle for h in response.context["historique"]] == ["À valider", "Déposée"]
    pdf = client.get(reverse("telecharger_facture_a_valider", args=[facture.pk]))
    with facture.fichier.open("rb") as depose:  # the deposited document, as certified
        assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content) == depose.read()
    piece = facture.pieces_jointes.get()
    jointe = client.get(reverse("telecharger_piece_jointe_a_valider", args=[facture.pk, piece.pk]))
    assert b"".join(jointe.streaming_content) == b"%PDF-1.4 bon de livraison"
    liste = outils.texte(client.get(reverse("factures_a_valider")))
    assert f"{echeance:%d/%m/%Y à %H:%M}" in liste


def test_valider_apres_confirmation_transmet_au_destinataire(client, fournisseur_gp, etat, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    client.force_login(gp_titulaire)
    url = reverse("valider_facture_a_valider", args=[facture.pk])
    assert "Confirmer la validation" in outils.texte(client.get(url))
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("factures_a_valider")
    assert "La facture ST-1 est validée : elle est transmise à son destinataire." in outils.texte(response)
    facture.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION
    validee, mise_a_disposition = facture.historique.order_by("-created_at", "-id")[1], facture.historique.first()
    assert (validee.statut, validee.acting_user, validee.role) == (S.VALIDEE_1, gp_titulaire, services.VALIDEUR)
    assert (mise_a_disposition.statut, mise_a_disposition.acting_user) == (S.MISE_A_DISPOSITION, None)
    assert HistoriqueFacture.chaine_intacte(facture)
    # Decided: no more buttons, and a second decision changes nothing.
    assert (
        'data-testid="actions-valideur"'
        not in client.get(reverse("facture_a_valider", args=[facture.pk])).content.decode()
    )
    response = client.post(url, follow=True)
    assert (
        "La facture ST-1 n'est plus à valider : elle est au statut « Mise à disposition du destinataire »."
        in outils.texte(response)
    )
    assert facture.historique.count() == 4


def test_refuser_sans_motif_message_et_rien_ne_change(client, fournisseur_gp, etat, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    OutboxMessage.objects.all().delete()
    client.force_login(gp_titulaire)
    url = reverse("refuser_facture_a_valider", args=[facture.pk])
    assert "Erreur de montant" in outils.texte(client.get(url))  # the coded list
    for donnees in ({"motif": "", "commentaire": "Pas d'accord"}, {"motif": "N_IMPORTE_QUOI"}):
        response = client.post(url, donnees)
        assert response.status_code == 200
        texte = outils.texte(response)
        assert "Le refus n'est pas enregistré." in texte and "Choisissez le motif du refus" in texte
    facture.refresh_from_db()
    assert facture.statut == S.A_VALIDER_1 and facture.historique.count() == 2
    assert not OutboxMessage.objects.exists()
    with pytest.raises(Exception, match="Choisissez le motif du refus dans la liste"):
        services.refuser_facture(acting_user=gp_titulaire, facture=facture, motif="")


def test_refuser_avec_motif_informe_le_fournisseur(client, fournisseur_gp, etat, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    gp, _ = fournisseur_gp
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    OutboxMessage.objects.all().delete()
    client.force_login(gp_titulaire)
    response = client.post(
        reverse("refuser_facture_a_valider", args=[facture.pk]),
        {"motif": "ERREUR_MONTANT", "commentaire": "Le lot 2 est facturé deux fois."},
        follow=True,
    )
    assert "La facture ST-1 est refusée. Le fournisseur en est informé." in outils.texte(response)
    facture.refresh_from_db()
    assert facture.statut == S.REFUSEE_1
    refus = facture.historique.first()
    assert (refus.acting_user, refus.role, refus.motif, refus.commentaire) == (
        gp_titulaire,
        services.VALIDEUR,
        "Erreur de montant",
        "Le lot 2 est facturé deux fois.",
    )
    mails = [m.payload for m in OutboxMessage.objects.all() if gp.email in m.payload["to"]]
    assert len(mails) == 1
    assert "Refusée par le valideur" in mails[0]["subject"]
    assert "Motif : Erreur de montant" in mails[0]["body"] and "Le lot 2 est facturé deux fois." in mails[0]["body"]
    # The supplier's suivi shows the refusal and its motif.
    client.force_login(gp)
    texte = outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))
    assert "Refusée par le valideur" in texte and "Erreur de montant" in texte


def test_refuser_une_facture_deja_validee(client, fournisseur_gp, etat, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    services.valider_facture(acting_user=gp_titulaire, facture=facture, accepter=True)
    client.force_login(gp_titulaire)
    url = reverse("refuser_facture_a_valider", args=[facture.pk])
    response = client.post(url, {"motif": "AUTRE"})
    assert response.status_code == 200
    assert "La facture ST-1 n'est plus à valider" in outils.texte(response)
    assert "n'est plus à valider" in outils.texte(client.get(url, follow=True))
    facture.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION


# --- Tacit validation -------------------------------------------------------------------------------------------


def test_validation_tacite_apres_15_jours_et_pas_avant(fournisseur_gp, etat, titulaire):
    gp_titulaire, structure_titulaire = titulaire
    gp, _ = fournisseur_gp
    depart = timezone.now()
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    refusee = _a9(fournisseur_gp, etat, structure_titulaire, "ST-2")
    services.refuser_facture(acting_user=gp_titulaire, facture=refusee, motif="AUTRE")
    OutboxMessage.objects.all().delete()
    with time_machine.travel(depart + timedelta(days=14, hours=23), tick=False):
        assert tasks.valider_tacitement() == 0
    facture.refresh_from_db()
    assert facture.statut == S.A_VALIDER_1
    with time_machine.travel(depart + timedelta(days=15, minutes=1), tick=False):
        assert tasks.valider_tacitement() == 1
        assert services.valider_tacitement() == 0  # once only
    facture.refresh_from_db()
    refusee.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION and refusee.statut == S.REFUSEE_1
    mise_a_disposition, tacite = facture.historique.all()[:2]
    assert (tacite.statut, tacite.acting_user, tacite.role) == (S.ABSENCE_VALIDATION_1_HORS_DELAI, None, "SYSTEME")
    assert "Validation tacite" in tacite.commentaire
    assert mise_a_disposition.statut == S.MISE_A_DISPOSITION
    destinataires = {e for m in OutboxMessage.objects.all() for e in m.payload["to"]}
    assert gp.email in destinataires and gp_titulaire.email in destinataires
    assert settings.CELERY_BEAT_SCHEDULE["tacit-validation"]["task"] == "facturation.tasks.valider_tacitement"


def test_le_delai_court_depuis_le_dernier_passage_a_valider(fournisseur_gp, etat, titulaire):
    """A validated A9 invoice sent back « À recycler » and recycled comes back « À valider »: its 15 days start
    again from that last arrival."""
    gp_titulaire, structure_titulaire = titulaire
    depart = timezone.now()
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    with time_machine.travel(depart + timedelta(days=10), tick=False):
        services.valider_facture(acting_user=gp_titulaire, facture=facture, accepter=True)
        services.CIRCUIT.transition(
            facture, to=S.A_RECYCLER, acting_user=None, role=services.DESTINATAIRE, motif="Mauvais service"
        )
        recycler(facture, etat, "FACTURES_PUBLIQUES", numero_engagement="EJ-9")
    assert facture.statut == S.A_VALIDER_1
    with time_machine.travel(depart + timedelta(days=16), tick=False):
        assert services.valider_tacitement() == 0
    with time_machine.travel(depart + timedelta(days=25, minutes=1), tick=False):
        assert services.valider_tacitement() == 1


# --- E-mails ----------------------------------------------------------------------------------------------------


def test_le_valideur_est_prevenu_a_l_arrivee(fournisseur_gp, etat, titulaire, lecteur):
    gp_titulaire, structure_titulaire = titulaire
    utilisateur_de(structure_titulaire, role="UTILISATEUR")  # attached without any profile: not told
    OutboxMessage.objects.all().delete()
    facture = _a9(fournisseur_gp, etat, structure_titulaire, "ST-1")
    a_valider = [m.payload for m in OutboxMessage.objects.all() if m.payload["subject"].endswith("à valider")]
    assert {e for m in a_valider for e in m["to"]} == {gp_titulaire.email, lecteur.email}
    echeance = timezone.localtime(facture.historique.get(statut=S.A_VALIDER_1).created_at + timedelta(days=15))
    assert "Bâtiments Martin SAS" in a_valider[0]["body"]
    assert f"avant le {echeance:%d/%m/%Y à %H:%M}" in a_valider[0]["body"]
    # An A1 invoice has no valideur: nobody is asked to validate.
    OutboxMessage.objects.all().delete()
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="A1-1", recue=True)
    assert not [m for m in OutboxMessage.objects.all() if gp_titulaire.email in m.payload["to"]]


# --- « Erreur fournisseur sur valideur » → « Corriger le valideur » --------------------------------------------


def test_erreur_de_valideur_puis_correction_par_le_fournisseur(
    client, fournisseur_gp, etat, titulaire, autre_valideur, django_capture_on_commit_callbacks
):
    gp, structure = fournisseur_gp
    valideur_gp, valideur = titulaire
    bon_gp, bon = autre_valideur
    facture = _a9(fournisseur_gp, etat, valideur, "ST-ERR")
    services.refuser_facture(acting_user=valideur_gp, facture=facture, motif="ERREUR_VALIDEUR", commentaire="Pas nous")
    facture.refresh_from_db()
    assert facture.statut == S.ERREUR_FOURNISSEUR_SUR_VALIDEUR  # not a refusal of the invoice itself

    # The supplier finds it in its Synthèse, with the action on its page.
    client.force_login(gp)
    assert "ST-ERR" in outils.texte(client.get(reverse("factures_emises")))
    page = outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))
    assert "Erreur fournisseur sur valideur" in page and "Corriger le valideur" in page

    # Bad SIRETs: a French message on the field, nothing changes.
    url = reverse("corriger_valideur", args=[facture.pk])
    for siret, message in [
        ("123", "SIRET"),
        (siret_aleatoire(), "Aucune structure active n'existe avec ce SIRET sur Chorus Pro."),
        (structure.identifiant, "Le valideur ne peut pas être votre propre structure."),
        (valideur.identifiant, "Ce valideur a signalé qu'il n'est pas le bon : indiquez-en un autre."),
    ]:
        response = client.post(url, {"siret": siret})
        assert response.status_code == 200 and message in outils.texte(response), siret
    facture.refresh_from_db()
    assert facture.statut == S.ERREUR_FOURNISSEUR_SUR_VALIDEUR and facture.valideur_id == valideur.pk

    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"siret": bon.identifiant})
    assert response.status_code == 302
    facture.refresh_from_db()
    assert facture.statut == S.A_VALIDER_1 and facture.valideur_id == bon.pk
    derniere = facture.historique.order_by("-created_at", "-id").first()
    assert derniere.acting_user == gp and "Valideur corrigé : Autre Titulaire SARL" in derniere.commentaire
    assert any(bon_gp.email in m.payload["to"] for m in OutboxMessage.objects.all())  # the new valideur is told
    assert list(queries.factures_a_valider(bon_gp).values_list("numero", flat=True)) == ["ST-ERR"]
    assert not queries.factures_a_valider(valideur_gp).filter(statut=S.A_VALIDER_1).exists()

    # Only an invoice in that status, only by its supplier with the modification profile.
    response = client.post(url, {"siret": valideur.identifiant})
    assert "Seule une facture au statut « Erreur fournisseur sur valideur »" in outils.texte(response)
    client.force_login(bon_gp)
    assert client.post(url, {"siret": bon.identifiant}).status_code == 404


def test_l_index_de_la_synthese_suit_sa_condition(fournisseur_gp, etat, titulaire):
    from facturation.views.emises import STATUTS_ACTION_FOURNISSEUR

    gp, _structure = fournisseur_gp
    _a9(fournisseur_gp, etat, titulaire[1], "ST-IDX")
    qs = (
        queries.factures_emises(gp)
        .filter(Q(statut__in=STATUTS_ACTION_FOURNISSEUR) | Q(statut=S.REJETEE, rejet_traite=False))
        .order_by("-updated_at", "-id")
        .values("pk")[:50]
    )
    plan = outils.plan(qs, "seqscan", "sort", "bitmapscan")
    assert "facture_synthese_v2_idx" in plan and "Sort" not in plan, plan
