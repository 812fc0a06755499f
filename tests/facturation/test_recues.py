"""« Factures reçues »: the public recipient's side — scoping (structure and service rattachements, statuses a
recipient sees, consultation only), the Synthèse, Rechercher (each filter, keyset pagination, exports), the
Tableau de bord, the invoice, « Traiter la facture » (each action, coded motifs, refusals) and the round trips
with the supplier (Suspendue → Complétée, À recycler → recyclée)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chorus.models import OutboxMessage
from chorus.navigation import alertes_connexion
from facturation import queries, services
from facturation.enums import (
    MOTIFS_DESTINATAIRE,
    Cadre,
    MotifRecyclage,
    MotifRejet,
    MotifSuspension,
    StatutFacture,
    TypeFacture,
)
from facturation.models import Facture, HistoriqueFacture
from facturation.statuts import ACTIONS_DESTINATAIRE
from tests import historique, outils
from tests.factories import StructureFactory, UtilisateurFactory, siret_aleatoire, utilisateur_de
from tests.facturation.en_volume import en_masse, verifier_pagination_par_curseur
from tests.facturation.factories import FactureFactory, fournisseur_pret, ligne, recycler
from tests.facturation.factories import piece as piece_jointe
from tests.fixtures_facturation import SIRET_ETAT
from tests.outils import contenu

pytestmark = pytest.mark.django_db
S = StatutFacture


def _agent(structure, *, niveau="modification", service=None, email=None, **noms):
    """A user attached to ``structure`` (or only to ``service``) holding « Factures reçues » at ``niveau``."""
    return utilisateur_de(
        structure, service=service, profils={"FACTURES_RECUES": niveau}, **({"email": email} if email else {}), **noms
    )


@pytest.fixture
def agent(etat):
    """An agent of the State attached at structure level: every invoice addressed to the State."""
    return _agent(etat, email="agent@etat.gouv.fr", prenom="Alice", nom="Comptable")


@pytest.fixture
def agent_service(etat):
    """An agent of the State attached to the service DRFIP_IDF only."""
    return _agent(etat, service=etat.services.get(code="DRFIP_IDF"), email="drfip@etat.gouv.fr")


@pytest.fixture
def lecteur(etat):
    """An agent of the State with « Factures reçues » in consultation only."""
    return _agent(etat, niveau="consultation", email="lecteur@etat.gouv.fr")


@pytest.fixture
def commune():
    """Another public structure, with its own agent."""
    structure = StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Villeurbanne", publique=True)
    return structure, _agent(structure, email="agent@villeurbanne.fr")


def _envoyer(
    fournisseur_gp,
    destinataire,
    numero,
    *,
    service="DRFIP_IDF",
    prix_ht="100",
    engagement="EJ-1",
    cadre=Cadre.A1,
    valideur=None,
    piece=None,
    commentaire="",
    type_facture=TypeFacture.FACTURE,
):
    """An invoice sent by the supplier through the deposit pipeline: « Mise à disposition du destinataire »."""
    return FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=destinataire,
        numero=numero,
        service=service,
        cadre=cadre,
        numero_engagement=engagement,
        valideur=valideur,
        commentaire=commentaire,
        type_facture=type_facture,
        lignes=[
            ligne("Lot 2 – plomberie", reference="LOT-2", quantite=2, prix_unitaire_ht=prix_ht),
            ligne("Fournitures", prix_unitaire_ht="10", taux_tva="5.5"),
        ],
        pieces=[piece_jointe(piece, f"Pièce {numero}", contenu=b"%PDF-1.4 piece " + numero.encode())] if piece else [],
        envoyer=True,
    )


def _numeros(response) -> list[str]:
    assert response.status_code == 200
    return [f["numero"] for f in response.context["factures"]]


def _urls(facture, piece=None) -> list[str]:
    urls = [
        reverse("facture_recue", args=[facture.pk]),
        reverse("traiter_facture_recue", args=[facture.pk, S.SERVICE_FAIT]),
        reverse("telecharger_facture_recue", args=[facture.pk]),
    ]
    if piece is not None:
        urls.append(reverse("telecharger_piece_jointe_recue", args=[facture.pk, piece.pk]))
    return urls


def _mails_a(email) -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.order_by("id") if email in m.payload["to"]]


# --- Scoping ---------------------------------------------------------------------------------------------------


def test_l_agent_voit_les_factures_de_sa_structure_et_pas_celles_d_une_autre(
    client, fournisseur_gp, etat, agent, commune
):
    structure_commune, agent_commune = commune
    pour_etat = _envoyer(fournisseur_gp, etat, "E-1", piece="BON_DE_LIVRAISON")
    _envoyer(fournisseur_gp, structure_commune, "C-1", service=None)
    client.force_login(agent)
    assert _numeros(client.get(reverse("factures_recues"))) == ["E-1"]
    assert _numeros(client.get(reverse("rechercher_factures_recues"))) == ["E-1"]
    assert list(queries.factures_recues(agent_commune).values_list("numero", flat=True)) == ["C-1"]
    # The commune's agent reaches none of the State's invoice pages: 404, and nothing changes.
    client.force_login(agent_commune)
    assert _numeros(client.get(reverse("factures_recues"))) == ["C-1"]
    assert "E-1" not in outils.texte(client.get(reverse("rechercher_factures_recues")))
    for url in _urls(pour_etat, pour_etat.pieces_jointes.get()):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("traiter_facture_recue", args=[pour_etat.pk, S.SERVICE_FAIT]), {"statut_vu": ""})
    assert response.status_code == 404
    pour_etat.refresh_from_db()
    assert pour_etat.statut == S.MISE_A_DISPOSITION
    # Nor through the service layer.
    with pytest.raises(Exception, match="Factures reçues"):
        services.traiter(acting_user=agent_commune, facture=pour_etat, statut=S.SERVICE_FAIT)


def test_un_agent_rattache_a_un_service_ne_voit_que_ce_service(client, fournisseur_gp, etat, agent, agent_service):
    drfip = _envoyer(fournisseur_gp, etat, "DRFIP-1")
    autre = _envoyer(fournisseur_gp, etat, "FP-1", service="FACTURES_PUBLIQUES", engagement="")
    client.force_login(agent_service)
    assert _numeros(client.get(reverse("factures_recues"))) == ["DRFIP-1"]
    assert _numeros(client.get(reverse("rechercher_factures_recues"))) == ["DRFIP-1"]
    for url in _urls(autre):
        assert client.get(url).status_code == 404, url
    # The service's invoice is theirs to process; the other service's is not, even through the service layer.
    assert client.get(reverse("facture_recue", args=[drfip.pk])).context["actions"]
    with pytest.raises(Exception, match="Factures reçues"):
        services.traiter(acting_user=agent_service, facture=autre, statut=S.SERVICE_FAIT)
    services.traiter(acting_user=agent_service, facture=drfip, statut=S.SERVICE_FAIT)
    # The agent attached to the whole structure sees both.
    assert set(queries.factures_recues(agent).values_list("numero", flat=True)) == {"DRFIP-1", "FP-1"}


def test_jamais_les_brouillons_ni_les_factures_avant_la_mise_a_disposition(client, fournisseur_gp, etat, agent):
    gp, structure = fournisseur_gp
    titulaire = StructureFactory(raison_sociale="Titulaire SA")
    recue = _envoyer(fournisseur_gp, etat, "R-1")
    invisibles = [
        Facture.objects.create(fournisseur=structure, destinataire=etat, numero="BR-1", created_by=gp),
        Facture.objects.create(
            fournisseur=structure, destinataire=etat, numero="DEP-1", statut=S.DEPOSEE, created_by=gp
        ),
        _envoyer(fournisseur_gp, etat, "AV-1", cadre=Cadre.A9, valideur=titulaire),
        Facture.objects.create(
            fournisseur=structure,
            destinataire=etat,
            numero="REF-1",
            statut=S.REFUSEE_1,
            cadre=Cadre.A9,
            valideur=titulaire,
            created_by=gp,
        ),
        Facture.objects.create(
            fournisseur=structure, destinataire=etat, numero="ABD-1", statut=S.ABANDONNEE, created_by=gp
        ),
    ]
    assert invisibles[2].statut == S.A_VALIDER_1
    assert list(queries.factures_recues(agent)) == [recue]
    client.force_login(agent)
    assert _numeros(client.get(reverse("rechercher_factures_recues"))) == ["R-1"]
    assert client.get(reverse("tableau_de_bord_factures_recues")).context["total"] == 1
    for facture in invisibles:
        assert client.get(reverse("facture_recue", args=[facture.pk])).status_code == 404
    # Once validated, the sous-traitant's invoice reaches the recipient.
    gp_titulaire = utilisateur_de(titulaire, profils={"FACTURES_A_VALIDER": "modification"})
    services.valider_facture(acting_user=gp_titulaire, facture=invisibles[2], accepter=True)
    assert set(queries.factures_recues(agent).values_list("numero", flat=True)) == {"R-1", "AV-1"}


def test_en_consultation_pas_d_action_et_post_refuse(client, fournisseur_gp, etat, lecteur):
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    OutboxMessage.objects.all().delete()
    client.force_login(lecteur)
    response = client.get(reverse("facture_recue", args=[facture.pk]))
    assert response.status_code == 200 and response.context["actions"] == []
    assert 'data-testid="actions-destinataire"' not in response.content.decode()
    assert "Traiter la facture" not in outils.texte(response)
    assert _numeros(client.get(reverse("factures_recues"))) == ["R-1"]  # consultation sees the lists
    url = reverse("traiter_facture_recue", args=[facture.pk, S.REJETEE])
    assert client.get(url).status_code == 403
    assert client.post(url, {"motif": "DOUBLE_FACTURATION", "statut_vu": S.MISE_A_DISPOSITION}).status_code == 403
    assert client.post(reverse("traiter_facture_recue", args=[facture.pk, S.SERVICE_FAIT])).status_code == 403
    facture.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION and facture.historique.count() == 2
    assert not OutboxMessage.objects.exists()


def test_l_application_est_dans_les_domaines_des_seuls_destinataires(client, etat, agent, agent_service, lecteur):
    for user in (agent, agent_service, lecteur):
        client.force_login(user)
        assert reverse("factures_recues") in client.get(reverse("domaines")).content.decode()
    sans_profil = utilisateur_de(etat)
    client.force_login(sans_profil)
    assert reverse("factures_recues") not in client.get(reverse("domaines")).content.decode()
    assert _numeros(client.get(reverse("factures_recues"))) == []


# --- Synthèse ------------------------------------------------------------------------------------------------------


def test_synthese_les_factures_a_traiter_les_plus_recentes_d_abord(client, fournisseur_gp, etat, agent):
    a = _envoyer(fournisseur_gp, etat, "A-1")
    b = _envoyer(fournisseur_gp, etat, "B-1")
    c = _envoyer(fournisseur_gp, etat, "C-1")
    d = _envoyer(fournisseur_gp, etat, "D-1")
    services.traiter(acting_user=agent, facture=b, statut=S.SERVICE_FAIT)  # no longer awaiting action
    services.traiter(acting_user=agent, facture=c, statut=S.SUSPENDUE, motif="Justificatif absent ou insuffisant")
    services.traiter(acting_user=agent, facture=a, statut=S.PRISE_EN_COMPTE_DESTINATAIRE)  # the latest change
    client.force_login(agent)
    response = client.get(reverse("factures_recues"))
    assert _numeros(response) == ["A-1", "D-1"]
    texte = outils.texte(response)
    assert "Factures à traiter" in texte and "Prise en compte destinataire" in texte
    assert "Bâtiments Martin SAS" in texte and "DRFIP_IDF" in texte and "EJ-1" in texte
    assert "?statut=A_TRAITER" in texte
    # Complétée by the supplier: back on top of « Factures à traiter ».
    gp, _ = fournisseur_gp
    services.completer(acting_user=gp, facture=c, commentaire="Pièce jointe")
    assert _numeros(client.get(reverse("factures_recues"))) == ["C-1", "A-1", "D-1"]
    assert d.statut == S.MISE_A_DISPOSITION


def test_synthese_limitee_aux_50_plus_recentes(client, fournisseur_gp, etat, agent, django_assert_max_num_queries):
    _en_masse(fournisseur_gp, etat, 60)
    client.force_login(agent)
    client.get(reverse("factures_recues"))
    # The user, their perimeter, the list, their perimeter in modification (the selection's form).
    with django_assert_max_num_queries(4):
        response = client.get(reverse("factures_recues"))
    assert len(response.context["factures"]) == 50
    assert "Seules les 50 plus récentes sont affichées." in outils.texte(response)
    toutes = client.get(reverse("rechercher_factures_recues"), {"statut": "A_TRAITER"})
    assert len(toutes.context["factures"]) == 50 and toutes.context["suivante"]


# --- Rechercher: each filter, keyset pagination, exports -----------------------------------------------------------


@pytest.fixture
def jeu(fournisseur_gp, etat, agent):
    """Five invoices of two suppliers to the State, one to another recipient."""
    gp, _ = fournisseur_gp
    depart = timezone.now()
    with_time = {}
    for i, (numero, options) in enumerate(
        [
            ("F-A", {"prix_ht": "50", "engagement": "EJ-AAA"}),  # TTC 130,55
            ("F-B", {"prix_ht": "500", "engagement": "EJ-BBB", "cadre": Cadre.A2}),  # TTC 1 210,55
            ("F-C", {"prix_ht": "5000", "service": "FACTURES_PUBLIQUES", "engagement": ""}),  # TTC 12 010,55
            ("AV-D", {"prix_ht": "5", "type_facture": TypeFacture.AVOIR, "engagement": "EJ-AAA"}),  # TTC 22,55
        ]
    ):
        with outils.a_l_instant(depart - timedelta(days=10 - 3 * i)):
            with_time[numero] = _envoyer(fournisseur_gp, etat, numero, **options)
    services.traiter(acting_user=agent, facture=with_time["F-B"], statut=S.REJETEE, motif="Double facturation")
    dupont = fournisseur_pret(raison_sociale="Électricité Dupont")
    with outils.a_l_instant(depart):
        with_time["DUP-1"] = _envoyer(dupont, etat, "DUP-1", prix_ht="80", engagement="EJ-DUP")
    commune = StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Villeurbanne", publique=True)
    _envoyer(fournisseur_gp, commune, "AUTRE-1", service=None)
    return with_time


def _recherche(client, **criteres) -> set[str]:
    return set(_numeros(client.get(reverse("rechercher_factures_recues"), criteres)))


def test_chaque_filtre_de_la_recherche(client, jeu, agent):
    client.force_login(agent)
    assert _recherche(client) == {"F-A", "F-B", "F-C", "AV-D", "DUP-1"}
    assert _recherche(client, numero="f-") == {"F-A", "F-B", "F-C"}
    assert _recherche(client, fournisseur="dupont") == {"DUP-1"}
    assert _recherche(client, fournisseur=jeu["F-A"].fournisseur.identifiant) == {"F-A", "F-B", "F-C", "AV-D"}
    assert _recherche(client, fournisseur=jeu["DUP-1"].fournisseur.identifiant[:9]) == {"DUP-1"}
    assert _recherche(client, service_destinataire="factures_publiques") == {"F-C"}
    assert _recherche(client, service_destinataire="DRFIP_IDF") == {"F-A", "F-B", "AV-D", "DUP-1"}
    assert _recherche(client, statut="REJETEE") == {"F-B"}
    assert _recherche(client, statut="A_TRAITER") == {"F-A", "F-C", "AV-D", "DUP-1"}
    depots = {n: timezone.localdate(f.date_depot) for n, f in jeu.items()}
    assert _recherche(client, depot_du=depots["F-C"].isoformat()) == {"F-C", "AV-D", "DUP-1"}
    assert _recherche(client, depot_au=depots["F-B"].isoformat()) == {"F-A", "F-B"}
    jour = depots["F-B"].isoformat()
    assert _recherche(client, depot_du=jour, depot_au=jour) == {"F-B"}
    assert _recherche(client, montant_min="1 000") == {"F-B", "F-C"}
    assert _recherche(client, montant_max="130,55") == {"F-A", "AV-D"}
    assert _recherche(client, montant_min="130,55", montant_max="1210,55") == {"F-A", "F-B", "DUP-1"}  # 202,55
    assert _recherche(client, numero_engagement="ej-aaa") == {"F-A", "AV-D"}
    assert _recherche(client, cadre=Cadre.A2.value) == {"F-B"}
    assert _recherche(client, numero="F-", statut="A_TRAITER", montant_min="1000") == {"F-C"}
    texte = outils.texte(client.get(reverse("rechercher_factures_recues"), {"numero": "F-B"}))
    assert "1\u202f210,55\u00a0€" in texte and "Rejetée" in texte and "EJ-BBB" in texte


@pytest.mark.parametrize(
    ("criteres", "champ", "message"),
    [
        ({"depot_du": "32/13/2026"}, "depot_du", "Saisissez une date valide."),
        ({"depot_du": "2026-03-01", "depot_au": "2026-02-01"}, "depot_au", "La date de fin doit être postérieure"),
        ({"montant_min": "douze"}, "montant_min", "« douze » n'est pas un montant valide."),
        ({"montant_min": "10", "montant_max": "5"}, "montant_max", "Le montant maximum doit être supérieur"),
        ({"statut": "BROUILLON"}, "statut", "Sélectionnez un choix valide"),
        ({"cadre": "A99"}, "cadre", "Sélectionnez un choix valide"),
    ],
)
def test_critere_invalide_message_en_francais(client, jeu, agent, criteres, champ, message):
    client.force_login(agent)
    response = client.get(reverse("rechercher_factures_recues"), criteres)
    assert message in " ".join(response.context["form"].errors[champ])
    assert "Corrigez les critères de recherche" in outils.texte(response) and response.context["factures"] == []
    for name in ("exporter_factures_recues", "exporter_factures_recues_xlsx"):
        export = client.get(reverse(name), criteres)
        assert export.status_code == 302
        assert export["Location"].startswith(reverse("rechercher_factures_recues") + "?")


def _en_masse(fournisseur_gp, etat, nombre, *, statut=S.MISE_A_DISPOSITION, service="DRFIP_IDF", prefixe="M"):
    service = etat.services.get(code=service)
    return en_masse(
        fournisseur_gp, nombre, prefixe=prefixe, destinataire=etat, service_destinataire=service, statut=statut
    )


def test_pagination_par_curseur_sans_offset(client, fournisseur_gp, etat, agent_service):
    _en_masse(fournisseur_gp, etat, 55)
    _en_masse(fournisseur_gp, etat, 3, service="FACTURES_PUBLIQUES", prefixe="M-FP")  # not the agent's service
    client.force_login(agent_service)
    url = reverse("rechercher_factures_recues")
    verifier_pagination_par_curseur(client, url)


# The export's first line, as the CSV file reads.
ENTETES = (
    "Numéro;Type;Cadre;Statut;Date de facture;Date de dépôt;SIRET fournisseur;Fournisseur;SIRET destinataire;"
    "Destinataire;Code service;Numéro d'engagement;Numéro de marché;Montant HT;Montant TVA;Montant TTC;"
    "Net à payer"
).split(";")


def _csv(client, **criteres):
    response = client.get(reverse("exporter_factures_recues"), criteres)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="factures_recues.csv"'
    return [ligne.split(";") for ligne in b"".join(response.streaming_content).decode("utf-8-sig").splitlines()]


def _xlsx(client, **criteres):
    response = client.get(reverse("exporter_factures_recues_xlsx"), criteres)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="factures_recues.xlsx"'
    return list(openpyxl.load_workbook(io.BytesIO(contenu(response))).active.values)


def test_exports_respectent_les_criteres_et_le_perimetre(client, jeu, agent, agent_service, commune):
    client.force_login(agent)
    lignes = _csv(client)
    assert lignes[0] == ENTETES
    assert [ligne[0] for ligne in lignes[1:]] == ["DUP-1", "AV-D", "F-C", "F-B", "F-A"]  # newest first
    (b,) = _csv(client, statut="REJETEE")[1:]
    f_b = jeu["F-B"]
    depot = timezone.localtime(f_b.date_depot)
    assert b == [
        "F-B",
        "Facture",
        Cadre.A2.label,
        "Rejetée",
        f_b.date_facture.strftime("%d/%m/%Y"),
        f"{depot:%d/%m/%Y %H:%M}",
        f_b.fournisseur.identifiant,
        "Bâtiments Martin SAS",
        SIRET_ETAT,
        "ETAT",
        "DRFIP_IDF",
        "EJ-BBB",
        "M-2026-7",
        "1010,00",
        "200,55",
        "1210,55",
        "1210,55",
    ]
    assert [ligne[0] for ligne in _csv(client, montant_min="1000", service_destinataire="FACTURES_PUBLIQUES")[1:]] == [
        "F-C"
    ]
    feuille = _xlsx(client, numero_engagement="EJ-AAA")
    assert list(feuille[0]) == ENTETES and [ligne[0] for ligne in feuille[1:]] == ["AV-D", "F-A"]
    avoir = feuille[1]
    assert avoir[1] == "Avoir" and avoir[5] == timezone.localtime(jeu["AV-D"].date_depot).replace(
        tzinfo=None, microsecond=0
    )  # a date cell, Paris time
    assert avoir[10:13] == ("DRFIP_IDF", "EJ-AAA", "M-2026-7") and avoir[16] == 22.55
    # A service-level agent exports their service only; another structure's agent, none of the State's invoices.
    client.force_login(agent_service)
    assert {ligne[0] for ligne in _csv(client)[1:]} == {"F-A", "F-B", "AV-D", "DUP-1"}
    assert {ligne[0] for ligne in _xlsx(client)[1:]} == {"F-A", "F-B", "AV-D", "DUP-1"}
    client.force_login(commune[1])
    assert _csv(client) == [ENTETES] and _xlsx(client) == [tuple(ENTETES)]
    client.force_login(UtilisateurFactory())
    assert _csv(client, fournisseur="Martin") == [ENTETES]
    client.logout()
    assert client.get(reverse("exporter_factures_recues"))["Location"].startswith(reverse("connexion"))


def test_tableau_de_bord_un_compte_par_statut(client, jeu, agent, agent_service, django_assert_max_num_queries):
    client.force_login(agent)
    client.get(reverse("tableau_de_bord_factures_recues"))
    with CaptureQueriesContext(connection) as requetes:
        response = client.get(reverse("tableau_de_bord_factures_recues"))
    # The counts come from the counters (one grouped query on them), never from the invoices themselves.
    sql = [q["sql"] for q in requetes.captured_queries]
    assert not [q for q in sql if "facturation_facture" in q]
    groupees = [q for q in sql if "facturation_compteurfactures" in q]
    assert len(groupees) == 1 and "GROUP BY" in groupees[0]
    assert response.context["lignes"] == [
        {"statut": "MISE_A_DISPOSITION", "libelle": "Mise à disposition du destinataire", "nombre": 4},
        {"statut": "REJETEE", "libelle": "Rejetée", "nombre": 1},
    ]
    assert response.context["a_traiter"] == 4 and response.context["total"] == 5
    contenu = response.content.decode()
    assert f'{reverse("rechercher_factures_recues")}?statut=REJETEE">1</a>' in contenu
    assert f'{reverse("rechercher_factures_recues")}?statut=A_TRAITER">4</a>' in contenu
    client.force_login(agent_service)
    assert client.get(reverse("tableau_de_bord_factures_recues")).context["total"] == 4


# --- Bounded queries and indexes -----------------------------------------------------------------------------------


def test_pages_en_nombre_de_requetes_borne(client, fournisseur_gp, etat, agent, django_assert_max_num_queries):
    facture = _envoyer(fournisseur_gp, etat, "R-1", piece="BON_DE_COMMANDE")
    client.force_login(agent)
    pages = [
        (reverse("factures_recues"), {}),
        (
            reverse("rechercher_factures_recues"),
            {
                "numero": "R",
                "fournisseur": "Martin",
                "statut": "A_TRAITER",
                "service_destinataire": "DRFIP_IDF",
                "montant_min": "0",
                "depot_du": "2020-01-01",
                "numero_engagement": "EJ",
            },
        ),
        (reverse("tableau_de_bord_factures_recues"), {}),
    ]
    for url, params in pages:
        client.get(url, params)  # warm the session and the per-process caches
        # The session (in the database, not in Redis), the user, their perimeter, the list (and, with the search
        # fields, the designated structures and services).
        with django_assert_max_num_queries(6):
            assert client.get(url, params).status_code == 200
    _en_masse(fournisseur_gp, etat, 60)
    # 50 rows cost what one row costs: no query per row.
    for url, params in pages[:2]:
        with django_assert_max_num_queries(6):
            assert (
                len(
                    client.get(url, {k: v for k, v in params.items() if not k.startswith("numero")}).context["factures"]
                )
                == 50
            )
    with django_assert_max_num_queries(9):  # + the invoice, the rights, history, attachments, lines, VAT recap
        assert client.get(reverse("facture_recue", args=[facture.pk])).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("traiter_facture_recue", args=[facture.pk, S.REJETEE])).status_code == 200
    with django_assert_max_num_queries(4):
        assert len(_csv(client)) == 62


def test_les_index_servent_chaque_liste_dans_son_ordre(fournisseur_gp, etat, agent, agent_service):
    """Each list query of the application is an index scan in its order (no sort), on an index of migration 0006."""
    gp, structure = fournisseur_gp
    autres = StructureFactory.create_batch(3, publique=True)
    Facture.objects.bulk_create(
        Facture(
            fournisseur=structure,
            destinataire=autres[i % 3],
            statut=S.MISE_A_DISPOSITION,
            numero=f"X-{i}",
            created_by=gp,
        )
        for i in range(20000)
    )  # the State's invoices: a small part of the table, as at volume
    # The agent's service holds a part of the State's invoices; each status a part of each service's.
    for service, nombres in (("DRFIP_IDF", (40, 5, 5)), ("FACTURES_PUBLIQUES", (200, 50, 50))):
        for statut, nombre in zip((S.MISE_A_DISPOSITION, S.SUSPENDUE, S.REJETEE), nombres, strict=True):
            _en_masse(
                fournisseur_gp, etat, nombre, statut=statut, service=service, prefixe=f"{service[:2]}{statut[:3]}"
            )
    a_traiter = [S.MISE_A_DISPOSITION, S.COMPLETEE, S.PRISE_EN_COMPTE_DESTINATAIRE]
    requetes = {
        "Rechercher": (queries.factures_recues(agent).order_by("-id"), "facture_recue_idx"),
        "Rechercher par statut": (
            queries.factures_recues(agent).filter(statut=S.REJETEE).order_by("-id"),
            "facture_recue_statut_idx",
        ),
        "Rechercher (service)": (queries.factures_recues(agent_service).order_by("-id"), "facture_recue_service_idx"),
        "Rechercher par statut (service)": (
            queries.factures_recues(agent_service).filter(statut=S.SUSPENDUE).order_by("-id"),
            "facture_recue_svc_statut_idx",
        ),
        "Synthèse": (
            queries.factures_recues(agent).filter(statut__in=a_traiter).order_by("-updated_at", "-id"),
            "facture_a_traiter_idx",
        ),
        "Synthèse (service)": (
            queries.factures_recues(agent_service).filter(statut__in=a_traiter).order_by("-updated_at", "-id"),
            "facture_a_traiter_svc_idx",
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE facturation_facture")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # On a table this small the planner may prefer a sort: forbidding it shows which index serves each order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for nom, (qs, index) in requetes.items():
            sql, params = qs[:51].query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan and "Sort" not in plan, (nom, plan)


# --- The invoice ---------------------------------------------------------------------------------------------------


def test_consulter_la_facture(client, fournisseur_gp, etat, agent):
    facture = _envoyer(fournisseur_gp, etat, "R-1", piece="BON_DE_COMMANDE", commentaire="Situation n° 3")
    services.traiter_facture_recue(
        acting_user=agent,
        facture=facture,
        statut=S.SUSPENDUE,
        motif=MotifSuspension.JUSTIFICATIF,
        commentaire="Le bon de commande est illisible.",
    )
    gp, _ = fournisseur_gp
    services.completer(acting_user=gp, facture=facture, commentaire="Voici une copie lisible.")
    client.force_login(agent)
    response = client.get(reverse("facture_recue", args=[facture.pk]))
    texte = outils.texte(response)
    for attendu in (
        "Bâtiments Martin SAS",
        facture.fournisseur.identifiant,
        "12 rue des Artisans, 69007 Lyon",
        "ETAT",
        "Service DRFIP_IDF – DRFIP Île-de-France",
        "A1 – Dépôt par un fournisseur d'une facture",
        "M-2026-7",
        "EJ-1",
        "Lot 2 – plomberie",
        "5,5 %",
        "Récapitulatif de TVA",
        "Net à payer",
        "Situation n° 3",
        "Télécharger la facture",
        "Pièce R-1",
        "Bon de commande",
        "Justificatif absent ou insuffisant",
        "Le bon de commande est illisible.",
        "Voici une copie lisible.",
        "Alice Comptable",
        "Complétée",
    ):
        assert attendu in texte, attendu
    assert 'data-testid="bon-de-commande"' in response.content.decode()
    assert [h.libelle for h in response.context["historique"]] == [
        "Complétée",
        "Suspendue",
        "Mise à disposition du destinataire",
        "Déposée",
    ]
    pdf = client.get(reverse("telecharger_facture_recue", args=[facture.pk]))
    with facture.fichier.open("rb") as depose:  # the deposited document, as certified
        assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content) == depose.read()
    piece = facture.pieces_jointes.get()
    jointe = client.get(reverse("telecharger_piece_jointe_recue", args=[facture.pk, piece.pk]))
    assert b"".join(jointe.streaming_content) == b"%PDF-1.4 piece R-1"
    autre = _envoyer(fournisseur_gp, etat, "R-2", piece="DEVIS")
    url = reverse("telecharger_piece_jointe_recue", args=[facture.pk, autre.pieces_jointes.get().pk])
    assert client.get(url).status_code == 404  # another invoice's attachment through this one


# --- Traiter la facture --------------------------------------------------------------------------------------------


def test_les_actions_proposees_viennent_de_la_table_de_transitions(client, fournisseur_gp, etat, agent):
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    client.force_login(agent)

    def actions():
        return [libelle for _, libelle in client.get(reverse("facture_recue", args=[facture.pk])).context["actions"]]

    assert actions() == list(ACTIONS_DESTINATAIRE.values())
    depuis_table = {t.cible for t in services.CIRCUIT.transitions_possibles(S.SERVICE_FAIT, services.DESTINATAIRE)}
    services.traiter(acting_user=agent, facture=facture, statut=S.SERVICE_FAIT)
    assert actions() == [ACTIONS_DESTINATAIRE[s] for s in ACTIONS_DESTINATAIRE if s in depuis_table]
    assert actions() == ["Mandater", "Mise à disposition du comptable", "Mettre en paiement", "Suspendre", "Rejeter"]
    services.traiter(acting_user=agent, facture=facture, statut=S.MISE_EN_PAIEMENT)
    assert actions() == []
    texte = outils.texte(client.get(reverse("facture_recue", args=[facture.pk])))
    assert "Traiter la facture" not in texte


CHEMIN = [
    (S.PRISE_EN_COMPTE_DESTINATAIRE, "Prise en compte destinataire"),
    (S.SERVICE_FAIT, "Service fait"),
    (S.MANDATEE, "Mandatée"),
    (S.MISE_A_DISPOSITION_COMPTABLE, "Mise à disposition du comptable"),
    (S.COMPTABILISEE, "Comptabilisée"),
    (S.MISE_EN_PAIEMENT, "Mise en paiement"),
]


def test_chaque_action_sans_motif_historique_et_courriel(client, fournisseur_gp, etat, agent):
    gp, _ = fournisseur_gp
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    client.force_login(agent)
    for statut, libelle in CHEMIN:
        OutboxMessage.objects.all().delete()
        url = reverse("traiter_facture_recue", args=[facture.pk, statut])
        page = outils.texte(client.get(url))
        assert f'data-testid="nouvel-etat">{libelle}</span>' in page and "Enregistrer" in page
        assert "Motif" not in page  # no motif for these actions
        response = client.post(url, {"commentaire": f"Étape {libelle}", "statut_vu": facture.statut}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("facture_recue", args=[facture.pk])
        assert f"La facture R-1 est au statut « {libelle} ». Le fournisseur en est informé." in outils.texte(response)
        facture.refresh_from_db()
        assert facture.statut == statut
        entree = facture.historique.first()
        assert (entree.statut, entree.acting_user, entree.role, entree.motif, entree.commentaire) == (
            statut,
            agent,
            services.DESTINATAIRE,
            "",
            f"Étape {libelle}",
        )
        (mail,) = _mails_a(gp.email)
        assert mail["subject"] == f"Chorus Pro - Facture R-1 : {libelle}"
        assert f"Commentaire du destinataire : Étape {libelle}" in mail["body"]
    assert HistoriqueFacture.chaine_intacte(facture)
    assert facture.historique.count() == 2 + len(CHEMIN)


@pytest.mark.parametrize(
    ("statut", "motif", "libelle_motif"),
    [
        (S.SUSPENDUE, MotifSuspension.JUSTIFICATIF, "Justificatif absent ou insuffisant"),
        (S.A_RECYCLER, MotifRecyclage.SE_INCORRECT, "SE incorrect"),
        (S.REJETEE, MotifRejet.COMPENSATION_AVOIRS, "Suppression pour compensation d'avoirs"),
    ],
)
def test_suspendre_recycler_rejeter_avec_un_motif_code(
    client, fournisseur_gp, etat, agent, statut, motif, libelle_motif
):
    gp, _ = fournisseur_gp
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    OutboxMessage.objects.all().delete()
    client.force_login(agent)
    url = reverse("traiter_facture_recue", args=[facture.pk, statut])
    page = outils.texte(client.get(url))
    for code, libelle in MOTIFS_DESTINATAIRE[statut].choices:  # the coded list of this action only
        assert f'value="{code}"' in page and libelle in page
    autres = [m for s, ms in MOTIFS_DESTINATAIRE.items() if s != statut for m in ms.labels if m != "Autre"]
    assert not [m for m in autres if m in page]
    response = client.post(
        url,
        {"motif": motif, "commentaire": "Voir avec le service achats.", "statut_vu": S.MISE_A_DISPOSITION},
        follow=True,
    )
    assert f"La facture R-1 est au statut « {S(statut).label} »." in outils.texte(response)
    facture.refresh_from_db()
    assert facture.statut == statut
    entree = facture.historique.first()
    assert (entree.acting_user, entree.role, entree.motif, entree.commentaire) == (
        agent,
        services.DESTINATAIRE,
        libelle_motif,
        "Voir avec le service achats.",
    )
    (mail,) = _mails_a(gp.email)
    assert S(statut).label in mail["subject"]
    assert f"Motif : {libelle_motif}" in mail["body"] and "Voir avec le service achats." in mail["body"]
    # The supplier reads the motif on their suivi (and, for a rejection, in the pop-up at login).
    client.force_login(gp)
    texte = outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))
    assert libelle_motif in texte and "Voir avec le service achats." in texte
    if statut == S.REJETEE:
        assert [a["motif"] for a in alertes_connexion(gp)] == [libelle_motif]
    else:
        assert alertes_connexion(gp) == []  # only a rejection is announced at login


def test_motif_obligatoire_message_et_rien_ne_change(client, fournisseur_gp, etat, agent):
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    OutboxMessage.objects.all().delete()
    client.force_login(agent)
    url = reverse("traiter_facture_recue", args=[facture.pk, S.REJETEE])
    for donnees in (
        {"motif": "", "commentaire": "Pas d'accord"},
        {"motif": "N_IMPORTE_QUOI"},
        {"motif": MotifSuspension.JUSTIFICATIF},  # a motif of another outcome
    ):
        response = client.post(url, {**donnees, "statut_vu": S.MISE_A_DISPOSITION})
        assert response.status_code == 200
        texte = outils.texte(response)
        assert "Le traitement n'est pas enregistré." in texte and "Choisissez le motif dans la liste" in texte
    facture.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION and facture.historique.count() == 2
    assert not OutboxMessage.objects.exists()
    # The service refuses the same, and a motif on an action that takes none.
    with pytest.raises(Exception, match="il est obligatoire pour cette action"):
        services.traiter_facture_recue(acting_user=agent, facture=facture, statut=S.SUSPENDUE)
    with pytest.raises(Exception, match="Choisissez le motif dans la liste"):
        services.traiter_facture_recue(acting_user=agent, facture=facture, statut=S.REJETEE, motif="Doublon")
    with pytest.raises(Exception, match="ne prend pas de motif"):
        services.traiter_facture_recue(
            acting_user=agent, facture=facture, statut=S.SERVICE_FAIT, motif=MotifRejet.AUTRE
        )
    facture.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION


def test_action_impossible_depuis_le_statut_courant(client, fournisseur_gp, etat, agent):
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    services.traiter(acting_user=agent, facture=facture, statut=S.SERVICE_FAIT)
    OutboxMessage.objects.all().delete()
    client.force_login(agent)
    # Not offered, and refused: the page says so in French, nothing changes.
    url = reverse("traiter_facture_recue", args=[facture.pk, S.PRISE_EN_COMPTE_DESTINATAIRE])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("facture_recue", args=[facture.pk])
    message = "L'action « Prendre en compte » n'est pas possible : la facture R-1 est au statut « Service fait »."
    assert message in outils.texte(response)
    response = client.post(url, {"statut_vu": S.SERVICE_FAIT}, follow=True)
    assert message in outils.texte(response)
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT and facture.historique.count() == 3
    assert not OutboxMessage.objects.exists()
    assert client.get(reverse("traiter_facture_recue", args=[facture.pk, "BROUILLON"])).status_code == 404


def test_un_autre_agent_a_traite_la_facture_entre_temps(client, fournisseur_gp, etat, agent):
    """Two agents open the same invoice; the second one's action, chosen on a page showing « Mise à disposition »,
    is refused once the first one has declared the service fait — even though the table would allow it."""
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    collegue = _agent(etat, email="collegue@etat.gouv.fr")
    client.force_login(agent)
    url = reverse("traiter_facture_recue", args=[facture.pk, S.REJETEE])
    page = client.get(url)
    assert f'name="statut_vu" value="{S.MISE_A_DISPOSITION}"' in page.content.decode()
    services.traiter_facture_recue(acting_user=collegue, facture=facture, statut=S.SERVICE_FAIT)
    OutboxMessage.objects.all().delete()
    response = client.post(url, {"motif": MotifRejet.MONTANT_ERRONE, "statut_vu": S.MISE_A_DISPOSITION}, follow=True)
    assert "L'action « Rejeter » n'est pas possible : la facture R-1 est au statut « Service fait »." in outils.texte(
        response
    )
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT and facture.historique.first().acting_user == collegue
    assert not OutboxMessage.objects.exists()


# --- Round trips with the supplier ---------------------------------------------------------------------------------


def _traiter_avec_motif(client, facture, statut, motif, commentaire):
    """The recipient's action ``statut`` posted with its ``motif`` and ``commentaire``, on an invoice it saw just
    made available (« statut_vu »)."""
    url = reverse("traiter_facture_recue", args=[facture.pk, statut])
    return client.post(url, {"motif": motif, "commentaire": commentaire, "statut_vu": S.MISE_A_DISPOSITION})


def test_aller_retour_suspendue_completee(client, fournisseur_gp, etat, agent):
    gp, _ = fournisseur_gp
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    client.force_login(agent)
    _traiter_avec_motif(client, facture, S.SUSPENDUE, MotifSuspension.JUSTIFICATIF, "Joindre le PV de réception.")
    assert _numeros(client.get(reverse("factures_recues"))) == []  # no longer awaiting the recipient
    facture.refresh_from_db()
    services.ajouter_piece_jointe(
        acting_user=gp,
        facture=facture,
        type_piece="JUSTIFICATIF",
        designation="PV de réception",
        nom="pv.pdf",
        contenu=b"%PDF-1.4 pv",
    )
    services.completer(acting_user=gp, facture=facture)
    response = client.get(reverse("factures_recues"))
    assert _numeros(response) == ["R-1"] and "Complétée" in outils.texte(response)
    detail = client.get(reverse("facture_recue", args=[facture.pk]))
    assert "PV de réception" in outils.texte(detail) and "Service fait" in dict(detail.context["actions"]).values()
    client.post(reverse("traiter_facture_recue", args=[facture.pk, S.SERVICE_FAIT]), {"statut_vu": S.COMPLETEE})
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT
    assert historique.statuts(facture) == [
        "DEPOSEE",
        "MISE_A_DISPOSITION",
        "SUSPENDUE",
        "COMPLETEE",
        "SERVICE_FAIT",
    ]


def test_aller_retour_a_recycler(client, fournisseur_gp, etat, agent, agent_service):
    facture = _envoyer(fournisseur_gp, etat, "R-1")
    client.force_login(agent_service)
    _traiter_avec_motif(
        client, facture, S.A_RECYCLER, MotifRecyclage.SE_INCORRECT, "Relève du service FACTURES_PUBLIQUES."
    )
    facture.refresh_from_db()
    assert facture.statut == S.A_RECYCLER
    assert _recherche(client, statut="A_RECYCLER") == {"R-1"}  # still visible, « À recycler »
    # The supplier recycles it to the right service, same number: it comes back to the recipient.
    recycler(facture, etat, "FACTURES_PUBLIQUES", numero_engagement="EJ-1")
    assert facture.statut == S.MISE_A_DISPOSITION
    assert _numeros(client.get(reverse("factures_recues"))) == []  # no longer the DRFIP agent's service
    assert client.get(reverse("facture_recue", args=[facture.pk])).status_code == 404
    client.force_login(agent)
    assert _numeros(client.get(reverse("factures_recues"))) == ["R-1"]
    texte = outils.texte(client.get(reverse("facture_recue", args=[facture.pk])))
    assert "Service FACTURES_PUBLIQUES" in texte and "Recyclage" in texte


# --- Traiter la sélection (bulk) ------------------------------------------------------------------------------------


def test_traiter_la_selection_avec_confirmation(client, fournisseur_gp, etat, agent, commune):
    gp, _ = fournisseur_gp
    a, b, c = (_envoyer(fournisseur_gp, etat, n) for n in ("S-1", "S-2", "S-3"))
    ailleurs = _envoyer(fournisseur_gp, commune[0], "C-1", service=None)
    services.traiter(acting_user=agent, facture=c, statut=S.SERVICE_FAIT)
    client.force_login(agent)
    synthese = client.get(reverse("factures_recues")).content.decode()
    assert 'data-testid="traiter-la-selection"' in synthese and f'name="facture" value="{a.pk}"' in synthese
    url = reverse("traiter_factures_recues_en_masse")
    selection = {"facture": [a.pk, b.pk, c.pk, ailleurs.pk], "statut": S.PRISE_EN_COMPTE_DESTINATAIRE}
    confirmation = client.post(url, selection)
    texte = outils.texte(confirmation)
    assert "Traiter la sélection : Prendre en compte" in texte and "Impossible depuis ce statut" in texte
    assert [ligne["facture"].numero for ligne in confirmation.context["factures"]] == ["S-3", "S-2", "S-1"]
    assert "C-1" not in texte  # outside the agent's perimeter: ignored
    assert f'name="vu-{a.pk}" value="MISE_A_DISPOSITION"' in confirmation.content.decode()
    assert Facture.objects.filter(statut=S.PRISE_EN_COMPTE_DESTINATAIRE).count() == 0  # nothing before confirming
    OutboxMessage.objects.all().delete()
    vus = {f"vu-{f.pk}": f.statut for f in (a, b)} | {f"vu-{c.pk}": S.SERVICE_FAIT}
    response = client.post(url, {**selection, **vus, "confirmer": "1"}, follow=True)
    texte = outils.texte(response)
    assert "2 facture(s) au statut « Prise en compte destinataire » : S-2, S-1." in texte
    assert "L'action « Prendre en compte » n'est pas possible : la facture S-3 est au statut « Service fait »." in texte
    statuts = dict(Facture.objects.values_list("numero", "statut"))
    assert (statuts["S-1"], statuts["S-2"], statuts["S-3"], statuts["C-1"]) == (
        S.PRISE_EN_COMPTE_DESTINATAIRE,
        S.PRISE_EN_COMPTE_DESTINATAIRE,
        S.SERVICE_FAIT,
        S.MISE_A_DISPOSITION,
    )
    assert a.historique.first().acting_user == agent
    assert len(_mails_a(gp.email)) == 2


def test_traiter_la_selection_refus(client, fournisseur_gp, etat, agent, lecteur):
    facture = _envoyer(fournisseur_gp, etat, "S-1")
    url = reverse("traiter_factures_recues_en_masse")
    client.force_login(agent)
    # An action that needs a motif, or nothing selected: a French message, nothing changes.
    for donnees, message in (
        ({"facture": [facture.pk], "statut": S.REJETEE}, "Sélectionnez un choix valide"),
        ({"statut": S.SERVICE_FAIT}, "Sélectionnez au moins une facture dans la liste."),
    ):
        response = client.post(url, {**donnees, "confirmer": "1"}, follow=True)
        assert response.status_code == 400 and message in outils.texte(response)
        facture.refresh_from_db()
        assert facture.statut == S.MISE_A_DISPOSITION
    with pytest.raises(Exception, match="facture par facture"):
        services.traiter_en_masse(acting_user=agent, factures=[(facture, "")], statut=S.REJETEE)
    # Another agent acted between the confirmation page and « Enregistrer ».
    services.traiter(acting_user=_agent(etat), facture=facture, statut=S.SERVICE_FAIT)
    vu = {f"vu-{facture.pk}": S.MISE_A_DISPOSITION}
    response = client.post(url, {"facture": [facture.pk], "statut": S.MANDATEE, **vu, "confirmer": "1"}, follow=True)
    assert "la facture S-1 est au statut « Service fait »" in outils.texte(response)
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT
    # Consultation only: no selection on the Synthèse, and the POST is refused.
    client.force_login(lecteur)
    _envoyer(fournisseur_gp, etat, "S-2")  # an invoice to process: the lecteur still gets no selection
    assert 'data-testid="traiter-la-selection"' not in client.get(reverse("factures_recues")).content.decode()
    assert client.post(url, {"facture": [facture.pk], "statut": S.MANDATEE, "confirmer": "1"}).status_code == 403
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT
