"""Files in an S3-compatible object store (``CHORUS_STOCKAGE=s3``, ``chorus.stockage``), against a real S3 server
started by the test session (moto's standalone server, over HTTP on a free port): an official EN 16931 invoice
deposited through the portal's « Déposer facture » and through the deposit pipeline lands in the bucket, is
downloaded back byte for byte, its attachment too, and nothing is written under ``MEDIA_ROOT``. Backups refuse
an object store in French (they archive the local disk only)."""

import uuid
from datetime import timedelta

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from chorus import sauvegarde, stockage
from facturation.enums import Cadre, StatutFacture, TypePieceJointe
from facturation.models import Facture, FluxDepot
from facturation.services import envoi, pieces_jointes
from organisation.enums import OptionMoa
from sollicitations.enums import StatutSollicitation
from tests.api.conftest import api, client_oauth, compte  # noqa: F401  (the API's fixtures)
from tests.api.test_flux import deposer, document, synchrone, tar_gz  # noqa: F401
from tests.conftest import free_port
from tests.factories import UtilisateurFactory
from tests.facturation import depot as depot_portail
from tests.facturation.test_depot_externes import ECHANTILLONS, _preparer
from tests.sollicitations import conftest as sollicitations_conftest
from tests.sollicitations.conftest import referentiel  # noqa: F401  (the categories, for usefixtures)
from tests.travaux.factories import acteur, pdf, saisie
from travaux import services as travaux_services

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
IDENTIFIANTS = {"aws_access_key_id": "portail", "aws_secret_access_key": "secret-de-test", "region_name": "eu-west-3"}
EXEMPLE = next(e for e in ECHANTILLONS if e.niveau == "EN 16931" and e.syntax == "CII")


@pytest.fixture(scope="session")
def serveur_s3():
    """moto's S3 server in a thread of the test process, on a port of its own (the real HTTP protocol)."""
    port = free_port()
    serveur = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    serveur.start()
    yield f"http://127.0.0.1:{port}"
    serveur.stop()


@pytest.fixture
def compartiment(serveur_s3, tmp_path, monkeypatch):
    """A new bucket, made the default storage as ``CHORUS_STOCKAGE=s3`` would, with ``MEDIA_ROOT`` pointing to a
    folder that must stay absent."""
    nom = f"chorus-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=serveur_s3, **IDENTIFIANTS)
    client.create_bucket(Bucket=nom, CreateBucketConfiguration={"LocationConstraint": IDENTIFIANTS["region_name"]})
    monkeypatch.setenv("CHORUS_STOCKAGE", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", nom)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", serveur_s3)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", IDENTIFIANTS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", IDENTIFIANTS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_S3_REGION_NAME", IDENTIFIANTS["region_name"])
    media = tmp_path / "media"
    storages = {
        "default": stockage.stockage_par_defaut(),
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=media):
        yield {"nom": nom, "client": client, "media": media}


def _cles(compartiment) -> set[str]:
    reponse = compartiment["client"].list_objects_v2(Bucket=compartiment["nom"])
    return {objet["Key"] for objet in reponse.get("Contents", [])}


def _contenu(compartiment, cle: str) -> bytes:
    return compartiment["client"].get_object(Bucket=compartiment["nom"], Key=cle)["Body"].read()


def test_le_stockage_par_defaut_est_le_bucket(compartiment):
    assert isinstance(storages["default"], S3Storage)
    assert not stockage.est_local(default_storage)


def test_facture_deposee_sur_le_portail_est_dans_le_bucket_et_se_telecharge(compartiment, client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = _preparer(EXEMPLE, structure, etat, gp)
    client.force_login(gp)
    # « Déposer facture »: the file waits in the bucket while the supplier completes the draft.
    reponse = depot_portail.deposer(client, structure, contenu, nom=EXEMPLE.name)
    assert reponse.status_code == 302, reponse.context["form"].errors
    facture = Facture.objects.get()
    depot_portail.envoyer_le_brouillon(client, facture, reponse["Location"])
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION

    # The legal original is an object of the bucket, under the field's folder, unchanged.
    assert facture.fichier.name in _cles(compartiment)
    assert facture.fichier.name.startswith("factures/")
    assert _contenu(compartiment, facture.fichier.name) == contenu
    # Downloaded back through the portal (streamed from the bucket).
    telechargement = client.get(reverse("telecharger_facture", args=[facture.pk]))
    assert telechargement.status_code == 200
    assert b"".join(telechargement.streaming_content) == contenu
    # Nothing on the local disk.
    assert not compartiment["media"].exists()


def test_pipeline_et_piece_jointe_dans_le_bucket(compartiment, client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = _preparer(EXEMPLE, structure, etat, gp)
    brouillon = depot_portail.envoyer_par_le_circuit(gp, structure, contenu, EXEMPLE.name)
    assert _contenu(compartiment, brouillon.fichier.name) == contenu

    # Two deposits of a file of the same name never replace one another's object (file_overwrite=False).
    premier = default_storage.save("factures/essai/meme-nom.xml", ContentFile(b"<a/>"))
    second = default_storage.save("factures/essai/meme-nom.xml", ContentFile(b"<b/>"))
    assert premier != second
    assert (_contenu(compartiment, premier), _contenu(compartiment, second)) == (b"<a/>", b"<b/>")

    # An attachment of a suspended-or-draft invoice: another object, downloaded back through the portal.
    facture = Facture.objects.get(pk=brouillon.pk)
    Facture.objects.filter(pk=facture.pk).update(statut=StatutFacture.SUSPENDUE)
    facture.refresh_from_db()
    pdf = b"%PDF-1.4\n% bon de commande\ntrailer << >>\n%%EOF\n"
    piece = pieces_jointes.ajouter_piece_jointe(
        acting_user=gp,
        facture=facture,
        type_piece=TypePieceJointe.BON_DE_COMMANDE,
        designation="Bon de commande",
        nom="bon-de-commande.pdf",
        contenu=pdf,
    )
    assert piece.fichier.name in _cles(compartiment)
    client.force_login(gp)
    reponse = client.get(reverse("telecharger_piece_jointe", args=[facture.pk, piece.pk]))
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == pdf
    assert not compartiment["media"].exists()


def test_lot_de_flux_par_l_api_dans_le_bucket(compartiment, api, etat, synchrone, client, fournisseur_gp):  # noqa: F811
    """A .tar.gz lot through ``deposer/flux``: the lot itself and each invoice extracted from it are objects."""
    lot = tar_gz(("a.xml", document(api.compte, etat, "S3-1")), ("b.xml", document(api.compte, etat, "S3-2")))
    with synchrone(execute=True):
        reponse = deposer(api, lot, nom="lot.tar.gz")
    assert reponse.status_code == 200, reponse.content
    flux = FluxDepot.objects.get(numero=reponse.json()["numeroFluxDepot"])
    cles = _cles(compartiment)
    assert flux.fichier.name in cles and _contenu(compartiment, flux.fichier.name) == lot
    factures = Facture.objects.filter(numero__in=["S3-1", "S3-2"])
    assert factures.count() == 2 and all(f.fichier.name in cles for f in factures)
    client.force_login(fournisseur_gp[0])
    telechargement = client.get(reverse("fichier_flux", args=[flux.numero]))
    assert telechargement.status_code == 200 and b"".join(telechargement.streaming_content) == lot
    assert not compartiment["media"].exists()


@pytest.mark.usefixtures("referentiel")
def test_piece_jointe_de_sollicitation_dans_le_bucket(compartiment, client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    sollicitation = sollicitations_conftest.deposer(
        gp, structure, destinataire=etat, objet="Paiement de F-1", numero_facture="F-1"
    )
    agent = sollicitations_conftest.rattacher(UtilisateurFactory(), etat, service=etat.services.get(code="DRFIP_IDF"))
    client.force_login(agent)
    note = "Calcul des pénalités".encode()
    reponse = client.post(
        reverse("traiter_sollicitation", args=[sollicitation.pk]),
        {
            "statut": StatutSollicitation.EN_COURS,
            "message": "Brouillon",
            "pieces": [SimpleUploadedFile("note.txt", note, content_type="text/plain")],
        },
    )
    assert reponse.status_code == 302
    piece = sollicitation.pieces_jointes.get()
    assert piece.fichier.name in _cles(compartiment) and _contenu(compartiment, piece.fichier.name) == note
    telechargement = client.get(reverse("piece_jointe_sollicitation_recue", args=[sollicitation.pk, piece.pk]))
    assert telechargement.status_code == 200 and b"".join(telechargement.streaming_content) == note
    assert not compartiment["media"].exists()


def test_piece_de_travaux_et_sa_piece_jointe_dans_le_bucket(compartiment, client):
    fournisseur, moe = acteur("CEGELEC PERPIGNAN"), acteur("MB INGENIERIE")
    moa = acteur("ACADEMIE DE MONTPELLIER", publique=True, option_moa=OptionMoa.AVEC_MOA)
    original, bordereau = pdf(), pdf("Bordereau")
    piece = travaux_services.deposer(
        acting_user=fournisseur[0],
        cadre=Cadre.A4,
        deposant=fournisseur[1],
        fichier=travaux_services.lire_fichier(original, "a4.pdf"),
        saisie=saisie(),
        acteurs=travaux_services.Acteurs(fournisseur=fournisseur[1], moe=moe[1], moa=moa[1]),
        pieces_jointes=[("bordereau.pdf", bordereau, "Bordereau")],
    )
    jointe = piece.pieces_jointes.get()
    cles = _cles(compartiment)
    assert {piece.fichier.name, jointe.fichier.name} <= cles
    assert _contenu(compartiment, jointe.fichier.name) == bordereau
    client.force_login(moe[0])
    reponse = client.get(reverse("travaux_telecharger", args=[piece.pk]))
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == _contenu(compartiment, piece.fichier.name)
    reponse = client.get(reverse("travaux_piece_jointe", args=[piece.pk, jointe.pk]))
    assert reponse.status_code == 200 and b"".join(reponse.streaming_content) == bordereau
    assert not compartiment["media"].exists()


def test_purge_des_depots_abandonnes_lit_le_bucket(compartiment):
    # Where « Déposer facture » keeps a PDF while its draft is being completed (envoi.preparer_depot).
    attente = default_storage.save(f"depots/attente/{uuid.uuid4().hex}-abandonne.pdf", ContentFile(b"%PDF-1.4"))
    assert attente in _cles(compartiment)
    assert envoi.purger_depots_abandonnes(age=timedelta(seconds=-60)) == 1
    assert attente not in _cles(compartiment)


def test_sauvegarde_refusee_en_francais_avec_un_bucket(compartiment, tmp_path):
    with pytest.raises(CommandError, match="stockage objet S3"):
        call_command("sauvegarder", str(tmp_path / "sauvegarde"))
    assert not (tmp_path / "sauvegarde").exists()
    with pytest.raises(sauvegarde.SauvegardeRefusee, match="Rien n'a été écrit"):
        sauvegarde.restaurer(tmp_path, remplacer=True)


def test_choix_du_stockage_par_l_environnement(monkeypatch):
    monkeypatch.delenv("CHORUS_STOCKAGE", raising=False)
    assert stockage.stockage_par_defaut() == {"BACKEND": stockage.BACKEND_DISQUE}
    monkeypatch.setenv("CHORUS_STOCKAGE", "s3")
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        stockage.stockage_par_defaut()
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "factures")
    monkeypatch.delenv("AWS_S3_ENDPOINT_URL", raising=False)
    options = stockage.stockage_par_defaut()["OPTIONS"]
    assert options["bucket_name"] == "factures" and options["file_overwrite"] is False
    assert options["addressing_style"] is None  # AWS itself: virtual-host addressing
    monkeypatch.setenv("CHORUS_STOCKAGE", "nfs")
    with pytest.raises(ImproperlyConfigured, match="« disque » ou « s3 »"):
        stockage.stockage_par_defaut()
