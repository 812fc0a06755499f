"""The list pages: the two Synthèses (« Mes sollicitations à traiter » with the seed's columns), Rechercher with
its filters and keyset pagination, « Exporter » CSV and XLSX, and a bounded number of SQL queries whatever the
number of rows."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from sollicitations import services
from sollicitations.enums import StatutSollicitation
from sollicitations.models import Sollicitation
from tests import outils
from tests.outils import contenu
from tests.sollicitations.conftest import deposer, sous_categorie

pytestmark = pytest.mark.django_db
S = StatutSollicitation


def _en_masse(gp, structure, etat, nombre, *, statut=S.A_TRAITER, prefixe="SOL-TEST"):
    """Many sollicitations at once (bulk insert: the lists' behaviour, not the deposit's, is under test)."""
    sc = sous_categorie("FACTURES_EMISES", "PAIEMENT")
    service = etat.services.get(code="DRFIP_IDF")
    Sollicitation.objects.bulk_create(
        Sollicitation(
            numero=f"{prefixe}-{i:04d}",
            emetteur=gp,
            structure_emettrice=structure,
            courriel_contact=gp.email,
            structure_destinataire=etat,
            service_destinataire=service,
            categorie=sc.categorie,
            sous_categorie=sc,
            objet=f"Objet {i}",
            message="Message",
            statut=statut,
        )
        for i in range(nombre)
    )


def test_synthese_emises_ce_qui_attend_le_deposant(client, fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    a_traiter = deposer(gp, structure, destinataire=etat, objet="Encore chez le service")
    complement, resolue = (
        deposer(gp, structure, destinataire=etat, objet=objet, statut=statut, traitee_par=agent_drfip, reponse=reponse)
        for objet, statut, reponse in (
            ("On me demande un complément", S.DEMANDE_INFORMATION, "Précisez."),
            ("Une réponse à accepter", S.RESOLUE, "Voilà."),
        )
    )
    client.force_login(gp)
    response = client.get(reverse("sollicitations_emises"))
    numeros = [s["numero"] for s in response.context["sollicitations"]]
    assert numeros == [resolue.numero, complement.numero]
    contenu = outils.texte(response)
    assert "Demande d'information" in contenu and "Résolue" in contenu and a_traiter.numero not in contenu
    assert "Saisir une sollicitation" in contenu


def test_synthese_recues_colonnes_du_portail(client, fournisseur_gp, etat, agent_drfip, collegue_drfip):
    gp, structure = fournisseur_gp
    premiere = deposer(gp, structure, destinataire=etat)
    seconde = deposer(gp, structure, destinataire=etat, code="REJET")
    resolue = deposer(gp, structure, destinataire=etat)
    services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=seconde, statut=S.EN_COURS, assignee=collegue_drfip
    )
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=resolue, statut=S.RESOLUE, message="Ok.")
    client.force_login(agent_drfip)
    response = client.get(reverse("sollicitations_recues"))
    contenu = outils.texte(response)
    colonnes = "Date de dépôt;Structure;Service;Catégorie;Sous-catégorie;Numéro de la sollicitation;Assignée à;État"
    assert set(colonnes.split(";")) - set(outils.colonnes(contenu)) == set()
    assert "Mes sollicitations à traiter" in contenu and "Total de 2 sollicitation(s)" in contenu
    lignes = response.context["sollicitations"]
    assert [s["numero"] for s in lignes] == [premiere.numero, seconde.numero]  # oldest first, as the portal
    assert lignes[0]["structure"] == f"{structure.identifiant} - Bâtiments Martin SAS"
    assert (lignes[0]["categorie"], lignes[0]["sous_categorie"], lignes[0]["etat"]) == (
        "Factures émises",
        "Suivi du traitement d'une facture",
        "À traiter",
    )
    assert (lignes[1]["sous_categorie"], lignes[1]["assignee"], lignes[1]["etat"]) == (
        "Rejet d'une facture",
        "Paul Collègue",
        "En cours",
    )
    assert timezone.localtime(lignes[0]["date_depot"]).date() == timezone.localdate()
    assert f"<td>{timezone.localdate():%d/%m/%Y}</td>" in contenu  # printed by the ``jour`` filter
    assert reverse("exporter_sollicitations_recues") + "?statut=MES_A_TRAITER" in contenu


def test_le_deposant_lit_a_traiter_pour_en_cours(client, fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, destinataire=etat)
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=s, statut=S.EN_COURS)
    client.force_login(gp)
    lignes = client.get(reverse("rechercher_sollicitations_emises")).context["sollicitations"]
    assert [ligne["etat"] for ligne in lignes] == ["À traiter"]
    par_statut = client.get(reverse("rechercher_sollicitations_emises"), {"statut": S.A_TRAITER})
    assert [ligne["numero"] for ligne in par_statut.context["sollicitations"]] == [s.numero]


def test_rechercher_filtres(client, fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    facture = deposer(gp, structure, destinataire=etat)
    support = deposer(gp, structure, categorie="RACCORDEMENT", code="EDI")
    client.force_login(gp)

    def numeros(**criteres):
        response = client.get(reverse("rechercher_sollicitations_emises"), criteres)
        return [s["numero"] for s in response.context["sollicitations"]]

    assert numeros() == [support.numero, facture.numero]
    assert numeros(categorie=support.categorie_id) == [support.numero]
    assert numeros(destinataire="ETAT") == [facture.numero]
    assert numeros(destinataire="11000201") == [facture.numero]
    assert numeros(numero=facture.numero[-6:]) == [facture.numero]
    aujourd_hui = timezone.localdate().isoformat()
    assert numeros(date_du=aujourd_hui, date_au=aujourd_hui) == [support.numero, facture.numero]
    assert numeros(date_au="2000-01-01") == []
    erreur = client.get(reverse("rechercher_sollicitations_emises"), {"date_du": "2026-05-02", "date_au": "2026-05-01"})
    assert "La date de fin doit être postérieure ou égale à la date de début." in outils.texte(erreur)
    assert erreur.context["sollicitations"] == []
    client.force_login(agent_drfip)
    response = client.get(reverse("rechercher_sollicitations_recues"), {"emetteur": "Martin"})
    assert [s["numero"] for s in response.context["sollicitations"]] == [facture.numero]


def test_pagination_par_curseur(client, fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    _en_masse(gp, structure, etat, 70)
    client.force_login(gp)
    # the session (in the database, not in Redis), user, perimeter, the list, the names of its structures, services
    # and sous-catégories (one query each), the right to « Saisir », the badge, and on the first page the header's
    # unread messages (then cached)
    page1, page2 = outils.deux_pages(
        client,
        reverse("rechercher_sollicitations_emises"),
        {"statut": S.A_TRAITER},
        lignes="sollicitations",
        requetes=(11, 10),
    )
    assert page1.context["sollicitations"][0]["numero"] == "SOL-TEST-0069"
    suivants = [s["numero"] for s in page2.context["sollicitations"]]
    assert len(suivants) == 20 and suivants[-1] == "SOL-TEST-0000"
    assert page2.context["suivante"] is None

    # « Mes sollicitations à traiter »: oldest first, the cursor moving forward.
    client.force_login(agent_drfip)
    page1 = client.get(reverse("sollicitations_recues"))
    assert page1.context["sollicitations"][0]["numero"] == "SOL-TEST-0000" and page1.context["total"] == 70
    page2 = client.get(reverse("sollicitations_recues"), {"apres": page1.context["suivante"]})
    assert [s["numero"] for s in page2.context["sollicitations"]][-1] == "SOL-TEST-0069"


@pytest.mark.parametrize("nombre", [1, 60])
def test_requetes_bornees(
    client, fournisseur_gp, etat, agent_drfip, agent_support, django_assert_max_num_queries, nombre
):
    """The query count of each list page does not grow with its rows."""
    gp, structure = fournisseur_gp
    _en_masse(gp, structure, etat, nombre)
    client.force_login(gp)
    # user, perimeter, the list and the names of its structures, services and sous-catégories, the right to
    # « Saisir » (and the session, the approbations badge, the unread messages when uncached)
    for nom in ("sollicitations_emises", "rechercher_sollicitations_emises"):
        with django_assert_max_num_queries(10):
            assert client.get(reverse(nom)).status_code == 200
    client.force_login(agent_drfip)
    # user, perimeter, support membership, the list and its names (three queries), the total of the Synthèse, the
    # approbations badge, the unread messages
    for nom in ("sollicitations_recues", "rechercher_sollicitations_recues"):
        with django_assert_max_num_queries(11):
            assert client.get(reverse(nom)).status_code == 200
    client.force_login(agent_support)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("sollicitations_recues")).status_code == 200
    with django_assert_max_num_queries(6):
        csv = b"".join(client.get(reverse("exporter_sollicitations_recues")).streaming_content)
    assert len(csv.decode("utf-8-sig").splitlines()) == 1  # the support has none: the header only


def test_liste_sans_jointure_et_noms_par_page(client, fournisseur_gp, etat, agent_drfip):
    """The lists' SQL reads the sollicitation table alone: joined to the names of its structures, services,
    catégories and assignee it was a statement of eight relations whose planning cost up to 190 ms at 10 M
    invoices (BENCHMARKS.md); the names come by primary key for the page's rows and still show."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gp, structure = fournisseur_gp
    _en_masse(gp, structure, etat, 3)
    service = etat.services.get(code="DRFIP_IDF")
    Sollicitation.objects.filter(numero="SOL-TEST-0001").update(assignee_a=agent_drfip)
    for utilisateur, nom in (
        (gp, "rechercher_sollicitations_emises"),
        (agent_drfip, "rechercher_sollicitations_recues"),
    ):
        client.force_login(utilisateur)
        with CaptureQueriesContext(connection) as requetes:
            response = client.get(reverse(nom))
        listes = [q["sql"] for q in requetes.captured_queries if 'FROM "sollicitations_sollicitation"' in q["sql"]]
        assert listes and all(" JOIN " not in sql for sql in listes), listes
        rangs = {r["numero"]: r for r in response.context["sollicitations"]}
        assert len(rangs) == 3
        rang = rangs["SOL-TEST-0001"]
        assert rang["structure"] == f"{structure.identifiant} - {structure.raison_sociale}"
        assert rang["destinataire"] == f"{etat.raison_sociale} / {service.code}"
        assert (rang["categorie"], rang["sous_categorie"]) == (
            sous_categorie("FACTURES_EMISES", "PAIEMENT").categorie.libelle,
            sous_categorie("FACTURES_EMISES", "PAIEMENT").libelle,
        )
        if nom == "rechercher_sollicitations_recues":
            assert rang["assignee"] == f"{agent_drfip.prenom} {agent_drfip.nom}"
            assert rangs["SOL-TEST-0000"]["assignee"] == ""


def test_requetes_bornees_page_d_une_sollicitation(
    client, fournisseur_gp, etat, agent_drfip, django_assert_max_num_queries
):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, destinataire=etat, fichiers=[services.Fichier("a.txt", b"texte")])
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=s, statut=S.DEMANDE_INFORMATION, message="?")
    services.repondre_demande_information(acting_user=gp, sollicitation=s, message="Voici.")
    client.force_login(agent_drfip)
    # user, perimeter (twice: the page, the right to treat), support membership, the sollicitation, the right to
    # treat, its draft, history, exchanges, attachments, the colleagues to assign, the badge, the unread messages
    with django_assert_max_num_queries(13):
        assert client.get(reverse("sollicitation_recue", args=[s.pk])).status_code == 200
    client.force_login(gp)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("sollicitation_emise", args=[s.pk])).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(reverse("saisir_sollicitation")).status_code == 200


def _csv(client, nom, **criteres):
    response = client.get(reverse(nom), criteres)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_exports_csv_et_xlsx(client, fournisseur_gp, etat, agent_drfip, collegue_drfip):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, destinataire=etat, objet='=HYPERLINK("http://x")', numero_facture="F-7")
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=s, statut=S.EN_COURS, assignee=collegue_drfip)
    deposer(gp, structure, categorie="AUTRE", code="AUTRE_DEMANDE", objet="Au support")

    client.force_login(gp)
    lignes = _csv(client, "exporter_sollicitations_emises", destinataire="ETAT")
    assert lignes[0].startswith("Numéro;Date de dépôt;État;SIRET émetteur") and "Assignée à" not in lignes[0]
    assert len(lignes) == 2
    cellules = lignes[1].split(";")
    assert cellules[0] == s.numero and cellules[2] == "À traiter"  # « En cours » is not shown to the sender
    assert cellules[6:8] == ["ETAT", "DRFIP_IDF"]
    assert "'=HYPERLINK" in lignes[1]  # a typed text is never a formula
    reponse = client.get(reverse("exporter_sollicitations_emises_xlsx"))
    classeur = openpyxl.load_workbook(io.BytesIO(contenu(reponse)))
    rangs = list(classeur.active.values)
    assert len(rangs) == 3 and rangs[0][0] == "Numéro"
    assert {r[6] for r in rangs[1:]} == {"ETAT", "Support Chorus Pro"}

    client.force_login(agent_drfip)
    lignes = _csv(client, "exporter_sollicitations_recues", statut="MES_A_TRAITER")
    assert lignes[0].endswith(";Assignée à") and len(lignes) == 2
    assert lignes[1].split(";")[2] == "En cours" and lignes[1].endswith(";Paul Collègue")
    erreur = client.get(reverse("exporter_sollicitations_recues"), {"date_du": "pas une date"})
    assert erreur.status_code == 302 and erreur["Location"].startswith(reverse("rechercher_sollicitations_recues"))
