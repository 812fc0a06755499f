"""Issue 14 item 1 (seed 004), in « Factures émises » and « Factures reçues »: the tabs « Informations du
fournisseur », « Liste fiscale » and « Archives »; the ticked invoices downloaded as one ZIP and « Masquer les
factures téléchargées »; the Synthèse's « Filtre Structure »; « Numéro DP mandat »; the eighteen motifs of
« Traiter la facture ». Each with its refusals (perimeter, profile, bad input) and the pages' query budgets."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from facturation import services
from facturation.enums import (
    MOTIFS_DESTINATAIRE,
    ORDRE_MOTIFS,
    MotifRecyclage,
    MotifRejet,
    MotifSuspension,
    StatutFacture,
)
from facturation.models import Facture
from facturation.queries import limite_archives
from organisation.models import EtablissementInsee
from tests import outils
from tests.factories import StructureFactory, UtilisateurFactory, habiliter, siret_aleatoire
from tests.facturation.en_volume import en_masse
from tests.facturation.factories import FactureFactory, amener, fournisseur_pret, piece

pytestmark = pytest.mark.django_db
S = StatutFacture

# Seed 004, « Traiter la facture » > « Motif de rejet », in the seed's order.
MOTIFS_DU_SEED = [
    "SE incorrect",
    "EJ incorrect ou inexistant",
    "Créancier inconnu ou différent de celui de l'EJ",
    "Erreur de coordonnées bancaires",
    "Livraison incomplète / non effectuée",
    "Facture non conforme à la commande",
    "Double facturation",
    "Justificatif absent ou insuffisant",
    "Montant de la facture erroné",
    "Taux de TVA erroné",
    "Marché terminé",
    "Sous-traitant / cotraitant non déclaré",
    "Suppression pour compensation d'avoirs",
    "Retraitement manuel par les services",
    "Transfert pour paiement en régie",
    "Autres : contacter votre acheteur",
    "Suppression en masse",
    "Mauvais valideur",
]


def _rattacher(utilisateur, structure, **profils):
    return habiliter(utilisateur, structure, profils=profils)


@pytest.fixture
def agent(etat):
    return _rattacher(UtilisateurFactory(email="agent@etat.gouv.fr"), etat, FACTURES_RECUES="modification")


@pytest.fixture
def commune():
    return StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Vif", publique=True)


@pytest.fixture
def sans_profil(etat):
    """Attached to the State without « Factures reçues » nor « Factures émises »."""
    return _rattacher(UtilisateurFactory(email="autre@etat.gouv.fr"), etat, FACTURES_A_VALIDER="consultation")


def _envoyer(fournisseur_gp, destinataire, numero, **extra):
    service = "DRFIP_IDF" if destinataire.services.filter(code="DRFIP_IDF").exists() else ""
    return FactureFactory(
        fournisseur_gp=fournisseur_gp, destinataire=destinataire, numero=numero, service=service, envoyer=True, **extra
    )


def _vieillir(facture, *, jours):
    """The invoice last modified ``jours`` days ago (``update`` leaves ``auto_now`` alone)."""
    Facture.objects.filter(pk=facture.pk).update(updated_at=timezone.now() - timedelta(days=jours))


# --- The eighteen motifs ----------------------------------------------------------------------------------------


def test_les_dix_huit_motifs_du_seed_dans_son_ordre():
    assert [m.label for m in ORDRE_MOTIFS] == MOTIFS_DU_SEED
    # Each outcome's list is exactly its part of the seed's list, and no motif is outside it.
    tous = [m for motifs in MOTIFS_DESTINATAIRE.values() for m in motifs]
    assert sorted(m.label for m in tous) == sorted(MOTIFS_DU_SEED)
    assert list(MotifSuspension) == [MotifSuspension.JUSTIFICATIF]
    assert list(MotifRecyclage) == [MotifRecyclage.SE_INCORRECT, MotifRecyclage.EJ_INCORRECT]
    for motifs in MOTIFS_DESTINATAIRE.values():  # each list keeps the seed's order
        assert list(motifs) == [m for m in ORDRE_MOTIFS if m in list(motifs)]


def test_rejeter_pour_paiement_en_regie(client, fournisseur_gp, etat, agent):
    facture = _envoyer(fournisseur_gp, etat, "MOT-1")
    client.force_login(agent)
    url = reverse("traiter_facture_recue", args=[facture.pk, S.REJETEE])
    page = outils.texte(client.get(url))
    for libelle in ("Suppression pour compensation d'avoirs", "Transfert pour paiement en régie", "Mauvais valideur"):
        assert libelle in page
    client.post(url, {"motif": MotifRejet.PAIEMENT_REGIE, "commentaire": "", "statut_vu": S.MISE_A_DISPOSITION})
    facture.refresh_from_db()
    assert facture.statut == S.REJETEE
    assert facture.historique.first().motif == "Transfert pour paiement en régie"


# --- « Numéro DP mandat » ----------------------------------------------------------------------------------------


def test_mandater_avec_le_numero_dp_mandat(client, fournisseur_gp, etat, agent):
    facture = amener(_envoyer(fournisseur_gp, etat, "DP-1"), S.SERVICE_FAIT)
    client.force_login(agent)
    url = reverse("traiter_facture_recue", args=[facture.pk, S.MANDATEE])
    assert "Numéro DP mandat" in outils.texte(client.get(url))
    # Too long: the French message, nothing changes.
    response = client.post(url, {"numero_dp_mandat": "9" * 51, "statut_vu": S.SERVICE_FAIT})
    assert response.status_code == 200
    assert "Le numéro DP mandat compte 50 caractères au plus." in outils.texte(response)
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT and facture.numero_dp_mandat == ""
    client.post(url, {"numero_dp_mandat": " DP-2026-0042 ", "commentaire": "", "statut_vu": S.SERVICE_FAIT})
    facture.refresh_from_db()
    assert (facture.statut, facture.numero_dp_mandat) == (S.MANDATEE, "DP-2026-0042")
    assert facture.historique.first().statut == S.MANDATEE  # through the transition engine
    assert "DP-2026-0042" in outils.texte(client.get(reverse("facture_recue", args=[facture.pk])))
    gp, _ = fournisseur_gp
    client.force_login(gp)
    assert "Numéro DP mandat DP-2026-0042" in outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))


def test_numero_dp_mandat_refuse_hors_mandatement(client, fournisseur_gp, etat, agent):
    facture = _envoyer(fournisseur_gp, etat, "DP-2")
    client.force_login(agent)
    # The other actions' pages do not offer it.
    assert "Numéro DP mandat" not in outils.texte(
        client.get(reverse("traiter_facture_recue", args=[facture.pk, S.SERVICE_FAIT]))
    )
    with pytest.raises(Exception, match="seulement avec l'action « Mandater »"):
        services.traiter_facture_recue(
            acting_user=agent, facture=facture, statut=S.SERVICE_FAIT, numero_dp_mandat="DP-1"
        )
    facture.refresh_from_db()
    assert facture.statut == S.MISE_A_DISPOSITION and facture.numero_dp_mandat == ""


# --- « Informations du fournisseur » ---------------------------------------------------------------------------


@pytest.mark.parametrize("cote", ["emises", "recues"])
def test_informations_du_fournisseur(client, fournisseur_gp, agent, cote, django_assert_max_num_queries):
    prive, secret, public, inconnu = (siret_aleatoire() for _ in range(4))
    EtablissementInsee.objects.create(
        siret=prive,
        raison_sociale="Plomberie Dupont",
        adresse="4 rue des Lilas",
        code_postal="69003",
        ville="Lyon",
        categorie_juridique="5710",
    )
    EtablissementInsee.objects.create(
        siret=secret, raison_sociale="Secret SARL", adresse="1 rue Cachée", non_diffusible=True
    )
    EtablissementInsee.objects.create(siret=public, raison_sociale="Mairie de Lyon", est_public=True)
    client.force_login(fournisseur_gp[0] if cote == "emises" else agent)
    url = reverse(f"informations_fournisseur_{cote}")
    page = outils.texte(client.get(url))
    assert "Informations du fournisseur" in page and "Liste fiscale" in page and "Archives" in page
    with django_assert_max_num_queries(8):
        texte = outils.texte(client.get(url, {"siret": f"{prive[:3]} {prive[3:]}"}))
    for attendu in ("Plomberie Dupont", prive[:9], "4 rue des Lilas", "69003 Lyon", "5710"):
        assert attendu in texte, attendu
    texte = outils.texte(client.get(url, {"siret": secret}))
    assert "Secret SARL" in texte and "Non diffusible" in texte and "1 rue Cachée" not in texte
    assert "annuaire des structures publiques" in outils.texte(client.get(url, {"siret": public}))
    assert "introuvable dans la base INSEE" in outils.texte(client.get(url, {"siret": inconnu}))
    response = client.get(url, {"siret": "123"})
    assert response.status_code == 200 and "Corrigez le SIRET" in outils.texte(response)


@pytest.mark.parametrize("cote", ["emises", "recues"])
def test_onglets_refuses_sans_le_profil(client, sans_profil, cote):
    client.force_login(sans_profil)
    for nom in ("informations_fournisseur", "liste_fiscale", "archives"):
        assert client.get(reverse(f"{nom}_{cote}")).status_code == 403
    assert client.post(reverse(f"telecharger_selection_{cote}"), {"facture": ["1"]}).status_code == 403
    client.logout()
    assert client.get(reverse(f"liste_fiscale_{cote}")).status_code == 302  # to the login page


# --- « Liste fiscale » -------------------------------------------------------------------------------------------


def _periode(debut, fin):
    aujourd_hui = timezone.localdate()
    return {
        "du": (aujourd_hui - timedelta(days=debut)).isoformat(),
        "au": (aujourd_hui - timedelta(days=fin)).isoformat(),
    }


def test_liste_fiscale_des_factures_recues(client, fournisseur_gp, etat, commune, agent, django_assert_max_num_queries):
    _envoyer(fournisseur_gp, etat, "LF-1")
    _envoyer(fournisseur_gp, etat, "LF-2")
    _envoyer(fournisseur_gp, commune, "LF-AUTRE")  # another recipient's
    client.force_login(agent)
    url = reverse("liste_fiscale_recues")
    client.get(url, _periode(1, 0))  # warm the session and the per-process caches
    # The session, the user, their profiles, their perimeter, the list.
    with django_assert_max_num_queries(6):
        response = client.get(url, _periode(1, 0))
    texte = outils.texte(response)
    assert "LF-1" in texte and "LF-2" in texte and "LF-AUTRE" not in texte
    assert [f["numero"] for f in response.context["factures"]] == ["LF-2", "LF-1"]
    # A period without deposits.
    texte = outils.texte(client.get(url, _periode(60, 30)))
    assert "Aucune facture envoyée pendant cette période." in texte and "LF-1" not in texte
    # The export: the same period and scope.
    export = client.get(reverse("exporter_liste_fiscale_recues"), _periode(1, 0))
    lignes = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:4] == ["Numéro", "Type", "Cadre", "Statut"]
    assert sorted(ligne[0] for ligne in lignes[1:]) == ["LF-1", "LF-2"]


def test_liste_fiscale_des_factures_emises_sans_brouillon(client, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    _envoyer(fournisseur_gp, etat, "LFE-1")
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="LFE-BROUILLON")
    autre = fournisseur_pret(email="autre@fournisseur.fr")
    _envoyer(autre, etat, "LFE-AUTRE")  # another supplier's
    client.force_login(gp)
    texte = outils.texte(client.get(reverse("liste_fiscale_emises"), _periode(0, 0)))
    assert "LFE-1" in texte and "LFE-BROUILLON" not in texte and "LFE-AUTRE" not in texte


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"du": "", "au": ""}, "Indiquez le premier jour de la période."),
        ({"du": "2026-13-45", "au": ""}, "Saisissez une date valide."),
        ({"fin_avant_debut": True}, "La date de fin doit être postérieure ou égale à la date de début."),
        ({"plus_d_un_an": True}, "La période couvre une année au plus"),
    ],
)
def test_liste_fiscale_periode_invalide(client, fournisseur_gp, etat, agent, donnees, message):
    _envoyer(fournisseur_gp, etat, "LF-3")
    if donnees.pop("fin_avant_debut", False):
        donnees = _periode(0, 3)
    if donnees.pop("plus_d_un_an", False):
        donnees = _periode(400, 0)
    client.force_login(agent)
    response = client.get(reverse("liste_fiscale_recues"), donnees)
    texte = outils.texte(response)
    assert response.status_code == 200 and message in texte and "LF-3" not in texte
    export = client.get(reverse("exporter_liste_fiscale_recues"), donnees)
    assert export.status_code == 302 and export["Location"].startswith(reverse("liste_fiscale_recues"))


# --- « Archives » ------------------------------------------------------------------------------------------------


def test_archives_les_factures_non_modifiees_depuis_deux_ans(
    client, fournisseur_gp, etat, commune, agent, django_assert_max_num_queries
):
    ancienne = _envoyer(fournisseur_gp, etat, "AR-1")
    recente = _envoyer(fournisseur_gp, etat, "AR-2")
    etrangere = _envoyer(fournisseur_gp, commune, "AR-AUTRE")
    _vieillir(ancienne, jours=3 * 366)
    _vieillir(recente, jours=600)
    _vieillir(etrangere, jours=3 * 366)
    client.force_login(agent)
    client.get(reverse("archives_recues"))  # warm the session and the per-process caches
    with django_assert_max_num_queries(6):
        response = client.get(reverse("archives_recues"))
    assert [f["numero"] for f in response.context["factures"]] == ["AR-1"]
    assert limite_archives().strftime("%d/%m/%Y") in outils.texte(response)
    # The search's criteria apply within the archives.
    assert client.get(reverse("archives_recues"), {"numero": "AR-2"}).context["factures"] == []
    gp, _ = fournisseur_gp
    client.force_login(gp)
    response = client.get(reverse("archives_emises"))
    assert sorted(f["numero"] for f in response.context["factures"]) == ["AR-1", "AR-AUTRE"]


def test_limite_des_archives_un_29_fevrier():
    import datetime as dt

    bissextile = timezone.make_aware(dt.datetime(2028, 2, 29, 10, 0))
    assert limite_archives(bissextile).date() == dt.date(2026, 2, 28)
    assert limite_archives(timezone.make_aware(dt.datetime(2027, 3, 1, 10, 0))).date() == dt.date(2025, 3, 1)


# --- Downloading the ticked invoices, « Masquer les factures téléchargées » ------------------------------------


def test_telecharger_la_selection_en_zip_puis_masquer(client, fournisseur_gp, etat, agent):
    f1 = _envoyer(fournisseur_gp, etat, "ZIP-1", pieces=[piece(designation="Bon de livraison")])
    f2 = _envoyer(fournisseur_gp, etat, "ZIP-2")
    f3 = _envoyer(fournisseur_gp, etat, "ZIP-3")
    client.force_login(agent)
    synthese = outils.texte(client.get(reverse("factures_recues")))
    assert "Télécharger la sélection (ZIP)" in synthese and "Masquer les factures téléchargées" in synthese
    response = client.post(reverse("telecharger_selection_recues"), {"facture": [f1.pk, f2.pk]})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    noms = archive.namelist()
    assert f"facture_ZIP-1_{f1.pk}.pdf" in noms and f"facture_ZIP-2_{f2.pk}.pdf" in noms
    assert any(n.startswith(f"facture_ZIP-1_{f1.pk}_pieces_jointes/") for n in noms)
    with f2.fichier.open("rb") as original:
        assert archive.read(f"facture_ZIP-2_{f2.pk}.pdf") == original.read()
    assert set(Facture.objects.filter(telechargee_le__isnull=False).values_list("numero", flat=True)) == {
        "ZIP-1",
        "ZIP-2",
    }
    # « Masquer les factures téléchargées »: only ZIP-3 remains in the Synthèse.
    response = client.get(reverse("factures_recues"), {"masquer_telechargees": "on"})
    assert [f["numero"] for f in response.context["factures"]] == ["ZIP-3"]
    assert len(client.get(reverse("factures_recues")).context["factures"]) == 3
    assert f3.pk


def test_telecharger_la_selection_refusee(client, fournisseur_gp, etat, commune, agent):
    mienne = _envoyer(fournisseur_gp, etat, "ZR-1")
    etrangere = _envoyer(fournisseur_gp, commune, "ZR-AUTRE")
    client.force_login(agent)
    url = reverse("telecharger_selection_recues")
    retour = reverse("rechercher_factures_recues") + "?numero=ZR"
    for donnees, message in (
        ({}, "Sélectionnez au moins une facture à télécharger."),
        ({"facture": [mienne.pk, etrangere.pk]}, "n'existe pas ou ne vous est pas accessible"),
        ({"facture": [str(i) for i in range(1, 102)]}, "Téléchargez au plus 100 factures à la fois."),
    ):
        response = client.post(url, {**donnees, "retour": retour}, follow=True)
        assert response.redirect_chain[-1][0] == retour
        assert message in outils.texte(response)
    assert not Facture.objects.filter(telechargee_le__isnull=False).exists()
    # A return address elsewhere is not followed.
    response = client.post(url, {"retour": "https://exemple.org/"})
    assert response["Location"] == reverse("factures_recues")


def test_telecharger_la_selection_des_factures_emises(client, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    envoyee = _envoyer(fournisseur_gp, etat, "ZE-1")
    brouillon = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="ZE-B")
    client.force_login(gp)
    page = client.get(reverse("rechercher_factures")).content.decode()
    assert "Télécharger la sélection (ZIP)" in page
    # The draft has no document: no tick box.
    assert f'value="{envoyee.pk}"' in page and f'value="{brouillon.pk}"' not in page
    response = client.post(reverse("telecharger_selection_emises"), {"facture": [envoyee.pk]})
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == [f"facture_ZE-1_{envoyee.pk}.pdf"]
    # The supplier's own download is not the recipient's.
    assert Facture.objects.get(pk=envoyee.pk).telechargee_le is None
    response = client.post(reverse("telecharger_selection_emises"), {"facture": [brouillon.pk]}, follow=True)
    assert "Aucun document n'est associé à la facture n° ZE-B." in outils.texte(response)


# --- « Filtre Structure » ----------------------------------------------------------------------------------------


def test_filtre_structure_des_factures_recues(
    client, fournisseur_gp, etat, commune, agent, django_assert_max_num_queries
):
    _envoyer(fournisseur_gp, etat, "FS-ETAT")
    _envoyer(fournisseur_gp, commune, "FS-COMMUNE")
    client.force_login(agent)
    # One structure: no filter.
    assert "Filtre Structure" not in outils.texte(client.get(reverse("factures_recues")))
    _rattacher(agent, commune, FACTURES_RECUES="consultation")
    client.get(reverse("factures_recues"))  # warm the session and the per-process caches
    with django_assert_max_num_queries(5):  # the Synthèse's 4, and the names of the user's structures
        response = client.get(reverse("factures_recues"))
    texte = outils.texte(response)
    assert "Filtre Structure" in texte and f"{commune.identifiant} - Commune de Vif" in texte
    assert {f["numero"] for f in response.context["factures"]} == {"FS-ETAT", "FS-COMMUNE"}
    response = client.get(reverse("factures_recues"), {"structure": commune.pk})
    assert [f["numero"] for f in response.context["factures"]] == ["FS-COMMUNE"]
    # A structure that is not the user's: the French message, no invoice of it.
    ailleurs = StructureFactory(identifiant=siret_aleatoire(), publique=True)
    response = client.get(reverse("factures_recues"), {"structure": ailleurs.pk})
    assert "Choisissez une de vos structures dans la liste." in outils.texte(response)


def test_filtre_structure_des_factures_emises(client, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="FSE-1")
    autre = fournisseur_pret(email="gp2@fournisseur.fr", raison_sociale="Durand SARL")
    FactureFactory(fournisseur_gp=autre, destinataire=etat, numero="FSE-2")
    client.force_login(gp)
    assert "Filtre Structure" not in outils.texte(client.get(reverse("factures_emises")))
    _rattacher(gp, autre[1], FACTURES_EMISES="consultation")
    response = client.get(reverse("factures_emises"))
    assert "Filtre Structure" in outils.texte(response)
    assert {f["numero"] for f in response.context["factures"]} == {"FSE-1", "FSE-2"}
    response = client.get(reverse("factures_emises"), {"structure": autre[1].pk})
    assert [f["numero"] for f in response.context["factures"]] == ["FSE-2"]


def _en_masse(fournisseur_gp, etat, nombre, *, il_y_a=timedelta(0)):
    """``nombre`` invoices of the State, deposited now and last modified ``il_y_a`` ago (bulk: no pipeline)."""
    factures = en_masse(
        fournisseur_gp,
        nombre,
        destinataire=etat,
        service_destinataire=etat.services.get(code="DRFIP_IDF"),
        statut=S.MISE_A_DISPOSITION,
    )
    # ``auto_now`` sets ``updated_at`` on insert; ``update`` leaves it as given (``il_y_a`` before the deposit).
    Facture.objects.filter(pk__in=[f.pk for f in factures]).update(updated_at=factures[0].date_depot - il_y_a)
    return factures


def test_liste_fiscale_et_archives_paginees_sans_requete_par_ligne(
    client, fournisseur_gp, etat, agent, django_assert_max_num_queries
):
    _en_masse(fournisseur_gp, etat, 55, il_y_a=timedelta(days=3 * 366))
    client.force_login(agent)
    for url, params in ((reverse("liste_fiscale_recues"), _periode(0, 0)), (reverse("archives_recues"), {})):
        client.get(url, params)  # warm the session and the per-process caches
        with django_assert_max_num_queries(6):
            premiere = client.get(url, params)
        assert len(premiere.context["factures"]) == 50 and premiere.context["suivante"]
        seconde = client.get(url, {**params, "apres": premiere.context["suivante"]})
        assert len(seconde.context["factures"]) == 5


def test_en_consultation_telecharger_sans_traiter(client, fournisseur_gp, etat):
    """A consultation profile downloads the ticked invoices from the Synthèse but is not offered to process them."""
    lecteur = _rattacher(UtilisateurFactory(email="lecteur@etat.gouv.fr"), etat, FACTURES_RECUES="consultation")
    facture = _envoyer(fournisseur_gp, etat, "CONS-1")
    client.force_login(lecteur)
    page = outils.texte(client.get(reverse("factures_recues")))
    assert "Télécharger la sélection (ZIP)" in page and "Traiter la sélection" not in page
    response = client.post(reverse("telecharger_selection_recues"), {"facture": [facture.pk]})
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == [f"facture_CONS-1_{facture.pk}.pdf"]
    assert Facture.objects.get(pk=facture.pk).telechargee_le is not None
