"""« Saisir une sollicitation »: the routing by sous-catégorie, the number, every refusal of bad input (in French,
nothing created), the attachments sniffed from their content, and the form's steps without JavaScript."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chorus.models import OutboxMessage
from organisation.enums import Application, Niveau
from sollicitations import services
from sollicitations.enums import StatutSollicitation
from sollicitations.models import PieceJointe, Sollicitation
from tests import outils
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory
from tests.sollicitations.conftest import deposer, rattacher, sous_categorie

pytestmark = pytest.mark.django_db
S = StatutSollicitation
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _refus(**kwargs) -> dict:
    with pytest.raises(ValidationError) as exc:
        deposer(**kwargs)
    assert not Sollicitation.objects.exists()
    return exc.value.message_dict


# --- Routing and numbering -----------------------------------------------------------------------------------


def test_facture_adressee_au_service_metier_designe(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, destinataire=etat, numero_facture="F2026-0101")
    assert re.fullmatch(r"SOL-\d{4}-\d{6}", s.numero)
    assert (s.au_support, s.structure_destinataire, s.service_destinataire.code) == (False, etat, "DRFIP_IDF")
    assert (s.statut, s.emetteur, s.courriel_contact, s.numero_facture) == (S.A_TRAITER, gp, gp.email, "F2026-0101")
    assert s.historique.get().commentaire == "Sollicitation déposée, adressée à ETAT (service DRFIP_IDF)"


def test_compte_adresse_au_support_meme_si_un_destinataire_est_saisi(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, categorie="COMPTE_STRUCTURE", code="RATTACHEMENT", destinataire=etat)
    assert s.au_support
    assert s.structure_destinataire is None and s.service_destinataire is None


def test_numeros_uniques_et_croissants(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    a = deposer(gp, structure, destinataire=etat)
    b = deposer(gp, structure, destinataire=etat)
    assert a.numero != b.numero and int(b.numero[-6:]) == int(a.numero[-6:]) + 1


# --- Refusals (service layer) --------------------------------------------------------------------------------


def test_categorie_et_sous_categorie_obligatoires(fournisseur_gp):
    gp, structure = fournisseur_gp
    with pytest.raises(ValidationError) as exc:
        services.deposer_sollicitation(
            acting_user=gp,
            structure_emettrice=structure,
            categorie=None,
            sous_categorie=None,
            objet="Objet",
            message="Message",
        )
    erreurs = exc.value.message_dict
    assert erreurs["categorie"] == ["Choisissez une catégorie."]
    assert erreurs["sous_categorie"] == ["Choisissez une sous-catégorie."]


def test_sous_categorie_d_une_autre_categorie_refusee(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    autre = sous_categorie("RACCORDEMENT", "API")
    erreurs = _refus(user=gp, structure=structure, destinataire=etat, sous_categorie=autre)
    assert erreurs == {"sous_categorie": ["Cette sous-catégorie n'appartient pas à la catégorie « Factures émises »."]}


def test_sous_categorie_inactive_refusee(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    sc = sous_categorie("FACTURES_EMISES", "PAIEMENT")
    sc.actif = False
    sc.save()
    erreurs = _refus(user=gp, structure=structure, destinataire=etat, code="PAIEMENT")
    assert erreurs == {"sous_categorie": ["Cette sous-catégorie n'est plus proposée."]}


def test_destinataire_obligatoire_pour_un_service_metier(fournisseur_gp):
    gp, structure = fournisseur_gp
    erreurs = _refus(user=gp, structure=structure)
    assert erreurs == {
        "structure_destinataire": [
            "Désignez la structure publique destinataire : cette sous-catégorie est traitée par le service d'une "
            "structure publique."
        ]
    }


@pytest.mark.parametrize("cas", ["privee", "inactive", "en_attente"])
def test_destinataire_structure_publique_active_seulement(fournisseur_gp, cas):
    gp, structure = fournisseur_gp
    traits = {
        "privee": {},
        "inactive": {"publique": True, "inactive": True},
        "en_attente": {"publique": True, "en_attente": True},
    }[cas]
    destinataire = StructureFactory(**traits)
    erreurs = _refus(user=gp, structure=structure, destinataire=destinataire, service=None)
    assert erreurs == {
        "structure_destinataire": ["La structure destinataire doit être une structure publique active de l'annuaire."]
    }


SERVICE_HORS_STRUCTURE = "Ce service n'appartient pas à la structure destinataire ou n'est pas actif."


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        pytest.param(
            {"objet": "  ", "message": ""},
            {
                "objet": ["L'objet de la sollicitation est obligatoire."],
                "message": ["Le message est obligatoire : décrivez votre demande."],
            },
            id="objet-et-message-obligatoires",
        ),
        pytest.param({"service": "ANCIEN"}, {"service_destinataire": [SERVICE_HORS_STRUCTURE]}, id="service-inactif"),
        pytest.param(
            {"service": None},
            {"service_destinataire": ["Le service destinataire est obligatoire pour cette structure."]},
            id="service-obligatoire-quand-la-structure-l-exige",
        ),
        pytest.param(
            {"siret_concerne": "12345678901234"},
            {"siret_concerne": ["Le SIRET 12345678901234 n'est pas valide : sa clé de contrôle est incorrecte."]},
            id="siret-concerne-verifie",
        ),
    ],
)
def test_sollicitation_a_l_etat_refusee_champ_par_champ(fournisseur_gp, etat, saisie, attendu):
    gp, structure = fournisseur_gp
    assert etat.code_service_obligatoire  # why the State's sollicitation needs a service
    assert _refus(user=gp, structure=structure, destinataire=etat, **saisie) == attendu


def test_service_d_une_autre_structure_refuse(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    ailleurs = ServiceFactory(code="AILLEURS")
    erreurs = _refus(user=gp, structure=structure, destinataire=etat, service=None, service_destinataire=ailleurs)
    assert erreurs == {"service_destinataire": [SERVICE_HORS_STRUCTURE]}


def test_service_facultatif_sinon(fournisseur_gp):
    gp, structure = fournisseur_gp
    commune = StructureFactory(publique=True, raison_sociale="Commune de Saint-Martin")
    s = deposer(gp, structure, destinataire=commune, service=None)
    assert s.structure_destinataire == commune and s.service_destinataire is None


def test_structure_emettrice_hors_perimetre_refusee(fournisseur_gp, etat):
    _, structure = fournisseur_gp
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        deposer(UtilisateurFactory(), structure, destinataire=etat)


def test_utilisateur_de_service_choisit_son_service(etat):
    """A user attached to one service of their structure sends in the name of that service only."""
    fournisseur = StructureFactory(raison_sociale="Grand Groupe SA")
    compta = ServiceFactory(structure=fournisseur, code="COMPTA")
    achats = ServiceFactory(structure=fournisseur, code="ACHATS")
    user = rattacher(UtilisateurFactory(), fournisseur, service=compta)
    attendu = {"service_emetteur": ["Choisissez l'un des services de la structure auxquels vous êtes rattaché."]}
    assert _refus(user=user, structure=fournisseur, destinataire=etat) == attendu
    assert _refus(user=user, structure=fournisseur, destinataire=etat, service_emetteur=achats) == attendu
    s = deposer(user, fournisseur, destinataire=etat, service_emetteur=compta)
    assert s.service_emetteur == compta


# --- Attachments ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b'<?xml version="1.0"?><Invoice/>', "application/xml"),
        (b"\xef\xbb\xbf<Invoice/>", "application/xml"),
        ("Numéro;Montant\nF-1;12,50\n".encode(), "text/plain"),
        ("Numéro;Montant\n".encode("cp1252"), "text/plain"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"PK\x03\x04 zip", None),
        (b"\x00\x01\x02", None),
    ],
)
def test_type_reconnu_au_contenu(contenu, attendu):
    assert services.type_reconnu(contenu) == attendu


def test_pieces_jointes_enregistrees(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    s = deposer(
        gp,
        structure,
        destinataire=etat,
        fichiers=[services.Fichier("facture.pdf", PDF), services.Fichier("capture.PNG", PNG)],
    )
    pieces = list(s.pieces_jointes.order_by("id"))
    assert [(p.nom_fichier, p.type_contenu, p.taille, p.extension) for p in pieces] == [
        ("facture.pdf", "application/pdf", len(PDF), "pdf"),
        ("capture.PNG", "image/png", len(PNG), "png"),
    ]
    with pieces[0].fichier.open("rb") as fichier:
        assert fichier.read() == PDF
    assert "facture" not in pieces[0].fichier.name  # the stored name is random


@pytest.mark.parametrize(
    ("fichiers", "message"),
    [
        (
            [("programme.pdf", b"MZ\x90\x00")],
            "Le fichier « programme.pdf » n'est pas d'un type accepté : seuls les "
            "fichiers PDF, PNG, JPEG, XML et texte le sont.",
        ),
        (
            [("facture.txt", PDF)],
            "Le contenu du fichier « facture.txt » (PDF) ne correspond pas à son extension « .txt ».",
        ),
        ([("vide.pdf", b"")], "Le fichier « vide.pdf » est vide."),
        (
            [("gros.pdf", PDF + b"0" * (10 * 1024 * 1024))],
            "Le fichier « gros.pdf » dépasse la taille maximale de 10 Mo.",
        ),
        ([(f"f{i}.pdf", PDF) for i in range(6)], "Vous pouvez joindre au plus 5 fichiers à la fois."),
    ],
)
def test_pieces_jointes_refusees(fournisseur_gp, etat, fichiers, message):
    gp, structure = fournisseur_gp
    erreurs = _refus(
        user=gp, structure=structure, destinataire=etat, fichiers=[services.Fichier(n, c) for n, c in fichiers]
    )
    assert message in erreurs["pieces"][0]
    assert not PieceJointe.objects.exists()


def test_nombre_total_de_pieces_limite(fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, destinataire=etat, fichiers=[services.Fichier(f"p{i}.pdf", PDF) for i in range(5)])
    for lot in range(3):
        services.traiter_sollicitation(
            acting_user=agent_drfip,
            sollicitation=s,
            statut=S.EN_COURS,
            fichiers=[services.Fichier(f"r{lot}{i}.pdf", PDF) for i in range(5)],
        )
    with pytest.raises(ValidationError) as exc:
        services.traiter_sollicitation(
            acting_user=agent_drfip, sollicitation=s, statut=S.EN_COURS, fichiers=[services.Fichier("x.pdf", PDF)]
        )
    assert exc.value.message_dict == {"pieces": ["Une sollicitation comporte au plus 20 pièces jointes."]}


# --- The page ---------------------------------------------------------------------------------------------------


def _post(client, etat, **extra):
    sc = sous_categorie("FACTURES_EMISES", "SUIVI_TRAITEMENT")
    structure = extra.pop("structure")
    donnees = {
        "structure_emettrice": structure.pk,
        "service_emetteur": "",
        "categorie": sc.categorie.pk,
        "sous_categorie": sc.pk,
        "siret_destinataire": etat.identifiant,
        "service_destinataire": etat.services.get(code="DRFIP_IDF").pk,
        "objet": "Paiement de la facture F-9",
        "message": "Où en est le paiement ?",
        "numero_facture": "F-9",
        "siret_concerne": "",
        "courriel_contact": "compta@martin.fr",
        "telephone_contact": "04 00 00 00 00",
        "action": "deposer",
    }
    donnees.update(extra)
    return client.post(reverse("saisir_sollicitation"), donnees)


def test_saisie_depose_et_affiche_la_sollicitation(client, fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    page = client.get(reverse("saisir_sollicitation"))
    assert page.status_code == 200
    contenu = outils.texte(page)
    assert "Saisir une sollicitation" in contenu and 'id="arbre-categories"' in contenu
    assert "sollicitations/saisie.js" in contenu
    fichier = SimpleUploadedFile("bon.pdf", PDF, content_type="application/octet-stream")
    response = _post(client, etat, structure=structure, pieces=[fichier])
    s = Sollicitation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sollicitation_emise", args=[s.pk])
    assert (s.courriel_contact, s.telephone_contact, s.numero_facture) == ("compta@martin.fr", "04 00 00 00 00", "F-9")
    assert s.pieces_jointes.get().type_contenu == "application/pdf"
    detail = outils.texte(client.get(response["Location"]))
    assert f"Votre sollicitation {s.numero} est déposée. Elle est adressée à ETAT (service DRFIP_IDF)." in detail
    assert "Paiement de la facture F-9" in detail and "bon.pdf" in detail


@pytest.mark.parametrize(
    ("modifications", "message"),
    [
        ({"categorie": ""}, "Choisissez une catégorie."),
        ({"sous_categorie": ""}, "Choisissez une sous-catégorie."),
        ({"objet": ""}, "L'objet de la sollicitation est obligatoire."),
        ({"message": ""}, "Le message est obligatoire : décrivez votre demande."),
        ({"siret_destinataire": ""}, "Désignez la structure publique destinataire"),
        ({"siret_destinataire": "11000201100045"}, "Le SIRET 11000201100045 n'est pas valide"),
        ({"service_destinataire": ""}, "Le service destinataire est obligatoire pour cette structure."),
    ],
)
def test_saisie_refusee_message_en_francais(client, fournisseur_gp, etat, modifications, message):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    avant = OutboxMessage.objects.count()
    response = _post(client, etat, structure=structure, **modifications)
    assert response.status_code == 200
    assert message in outils.texte(response)
    assert "La sollicitation n'est pas déposée" in outils.texte(response)
    assert not Sollicitation.objects.exists()
    assert OutboxMessage.objects.count() == avant


def test_saisie_sous_categorie_d_une_autre_categorie(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = _post(client, etat, structure=structure, sous_categorie=sous_categorie("RACCORDEMENT", "API").pk)
    assert "Choisissez une sous-catégorie de la catégorie « Factures émises »." in outils.texte(response)
    assert not Sollicitation.objects.exists()


def test_saisie_destinataire_prive_refuse(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = _post(
        client, etat, structure=structure, siret_destinataire=structure.identifiant, service_destinataire=""
    )
    assert "La structure destinataire doit être une structure publique active de l'annuaire." in outils.texte(response)
    assert not Sollicitation.objects.exists()


def test_saisie_service_d_une_autre_structure_refuse(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    ailleurs = ServiceFactory()
    response = _post(client, etat, structure=structure, service_destinataire=ailleurs.pk)
    assert "Ce service n'appartient pas à la structure destinataire ou n'est pas actif." in outils.texte(response)
    assert not Sollicitation.objects.exists()


def test_saisie_fichier_refuse(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    faux = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00 executable", content_type="application/pdf")
    response = _post(client, etat, structure=structure, pieces=[faux])
    assert "Le fichier « facture.pdf » n'est pas d'un type accepté" in outils.texte(response)
    assert not Sollicitation.objects.exists()


def test_saisie_fichier_trop_gros_refuse_sans_le_lire(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    gros = SimpleUploadedFile("gros.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = _post(client, etat, structure=structure, pieces=[gros])
    assert "Le fichier « gros.pdf » dépasse la taille maximale de 10 Mo." in outils.texte(response)
    assert not Sollicitation.objects.exists()


def test_etape_categorie_sans_javascript(client, fournisseur_gp, etat):
    """« Afficher les sous-catégories » redisplays the form with the chosen catégorie's sous-catégories only,
    keeping what was typed and showing no error."""
    gp, structure = fournisseur_gp
    client.force_login(gp)
    raccordement = sous_categorie("RACCORDEMENT", "API").categorie
    response = _post(
        client, etat, structure=structure, action="categorie", categorie=raccordement.pk, objet="Mon objet en cours"
    )
    contenu = outils.texte(response)
    assert response.status_code == 200 and not Sollicitation.objects.exists()
    options = re.search(r'<select name="sous_categorie".*?</select>', contenu, re.S).group(0)
    assert "Raccordement API (PISTE)" in options and "Rejet d'une facture" not in options
    assert 'value="Mon objet en cours"' in contenu
    assert "La sollicitation n'est pas déposée" not in contenu


def test_etape_destinataire_sans_javascript(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = _post(client, etat, structure=structure, action="destinataire", service_destinataire="")
    contenu = outils.texte(response)
    assert "Structure trouvée : ETAT (11000201100044)." in contenu
    options = re.search(r'<select name="service_destinataire".*?</select>', contenu, re.S).group(0)
    assert "DRFIP_IDF" in options and "ANCIEN" not in options  # its active services
    response = _post(client, etat, structure=structure, action="destinataire", siret_destinataire=structure.identifiant)
    assert "Aucune structure publique active de l'annuaire n'a ce SIRET." in outils.texte(response)


def test_structure_publique_en_json(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    donnees = client.get(reverse("structure_publique_sollicitation", args=[etat.identifiant])).json()
    assert donnees["trouvee"] and donnees["code_service_obligatoire"]
    assert [libelle.split(" – ")[0] for _pk, libelle in donnees["services"]] == ["DRFIP_IDF", "FACTURES_PUBLIQUES"]
    prive = client.get(reverse("structure_publique_sollicitation", args=[structure.identifiant])).json()
    assert prive == {"trouvee": False, "message": "Aucune structure publique active de l'annuaire n'a ce SIRET."}


def test_saisie_interdite_en_consultation(client, fournisseur_gp):
    _, structure = fournisseur_gp
    lecteur = rattacher(
        UtilisateurFactory(), structure, profils={Application.SOLLICITATIONS_EMISES: Niveau.CONSULTATION}
    )
    client.force_login(lecteur)
    assert client.get(reverse("saisir_sollicitation")).status_code == 403
    assert client.post(reverse("saisir_sollicitation"), {"action": "deposer"}).status_code == 403
    assert "Saisir une sollicitation" not in outils.texte(client.get(reverse("sollicitations_emises")))
