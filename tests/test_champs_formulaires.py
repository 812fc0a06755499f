"""The selects, uploads and checkboxes that pages used to write by hand are fields of real forms, printed by
django-dsfr (``as_field_group``, or a field template of the form renderer): the same ids, names and labels as
before (scripts and browser journeys point at them), the choices and the checks in the form, French errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html as lxml_html

from chorus import messagerie
from chorus.models import Message
from organisation import services
from tests import outils
from tests.factories import UtilisateurFactory, rattacher, structure_privee

pytestmark = pytest.mark.django_db


def _arbre(response):
    assert response.status_code == 200
    return lxml_html.fromstring(response.content.decode())


def _un(arbre, xpath):
    trouves = arbre.xpath(xpath)
    assert len(trouves) == 1, (xpath, len(trouves))
    return trouves[0]


def _options(select) -> list[tuple[str, str, bool]]:
    return [(o.get("value"), o.text_content().strip(), o.get("selected") is not None) for o in select.xpath("option")]


def _groupe(champ):
    """The container django-dsfr prints around a field: its label, hint, input and errors."""
    return champ.getparent()


@pytest.fixture
def gp_deux_structures():
    gp = UtilisateurFactory(prenom="Gaëlle", nom="Perrin")
    acme, batir = structure_privee(gp, "ACME SAS"), structure_privee(gp, "Bâtir SARL")
    zoe = UtilisateurFactory(prenom="Zoé", nom="Lemaire", email="zoe@acme.fr")
    rattacher(gp, zoe, acme)
    return gp, acme, batir, zoe


def test_gerer_habilitations_choisit_structure_et_utilisateur_par_son_formulaire(client, gp_deux_structures):
    gp, acme, batir, zoe = gp_deux_structures
    client.force_login(gp)
    arbre = _arbre(client.get(reverse("gerer_habilitations"), {"structure": acme.pk, "utilisateur": zoe.pk}))
    structure = _un(arbre, '//select[@id="choix-structure"]')
    assert structure.get("name") == "structure" and structure.get("class") == "fr-select"
    assert _groupe(structure).get("class") == "fr-select-group"
    assert _un(arbre, '//label[@for="choix-structure"]').text_content().strip() == "Structure"
    assert _options(structure) == [(str(acme.pk), "ACME SAS", True), (str(batir.pk), "Bâtir SARL", False)]
    utilisateur = _un(arbre, '//select[@id="choix-utilisateur"]')
    assert utilisateur.get("name") == "utilisateur"
    assert _un(arbre, '//label[@for="choix-utilisateur"]').text_content().strip() == "Utilisateur"
    assert _options(utilisateur) == [
        ("", "Choisissez un utilisateur", False),
        (str(zoe.pk), "Zoé Lemaire (zoe@acme.fr)", True),
        (str(gp.pk), f"Gaëlle Perrin ({gp.email})", False),
    ]
    assert "Profils de Zoé Lemaire" in outils.texte(client.get(reverse("gerer_habilitations"), {"utilisateur": zoe.pk}))

    # The structure changed, the user of the other one still sent: no error, the page asks for a user again.
    response = client.get(reverse("gerer_habilitations"), {"structure": batir.pk, "utilisateur": zoe.pk})
    arbre = _arbre(response)
    assert _options(_un(arbre, '//select[@id="choix-utilisateur"]')) == [
        ("", "Choisissez un utilisateur", False),
        (str(gp.pk), f"Gaëlle Perrin ({gp.email})", False),
    ]
    assert "Profils de" not in outils.texte(response) and "fr-select-group--error" not in response.content.decode()

    # A structure that is not the user's: a French error on the field, and the page shows the first one (with
    # the user chosen, who is one of its members).
    autre = structure_privee(UtilisateurFactory(), "Autre SAS")
    response = client.get(reverse("gerer_habilitations"), {"structure": autre.pk, "utilisateur": zoe.pk})
    arbre = _arbre(response)
    structure = _un(arbre, '//select[@id="choix-structure"]')
    assert _groupe(structure).get("class") == "fr-select-group fr-select-group--error"
    assert structure.get("aria-invalid") == "true"
    assert "Choisissez une structure de la liste." in outils.texte(response)
    assert "Autre SAS" not in outils.texte(response)
    assert response.context["structure"] == acme and response.context["utilisateur_choisi"] == zoe


def test_mode_echange_choisit_la_structure_par_son_formulaire(client, gp_deux_structures):
    gp, acme, batir, _ = gp_deux_structures
    client.force_login(gp)
    response = client.get(reverse("raccordements_mode_echange"), {"structure": batir.pk})
    assert response.context["structure"] == batir
    arbre = _arbre(response)
    structure = _un(arbre, '//select[@id="choix-structure"]')
    assert structure.get("name") == "structure" and _groupe(structure).get("class") == "fr-select-group"
    assert _options(structure) == [
        (str(acme.pk), f"ACME SAS ({acme.identifiant})", False),
        (str(batir.pk), f"Bâtir SARL ({batir.identifiant})", True),
    ]
    # Without a choice, the first structure; with one structure only, no selector.
    assert client.get(reverse("raccordements_mode_echange")).context["structure"] == acme
    seul = UtilisateurFactory()
    structure_privee(seul, "Seule SAS")
    client.force_login(seul)
    assert not _arbre(client.get(reverse("raccordements_mode_echange"))).xpath('//select[@id="choix-structure"]')


def test_approbations_une_case_par_demande_gardee_apres_une_erreur(client, gp_deux_structures):
    gp, acme, _, _ = gp_deux_structures
    demandeurs = [UtilisateurFactory(prenom=p, nom="Martin") for p in ("Alice", "Bruno")]
    ids = [services.demander_rattachement(utilisateur=u, structure=acme, commentaire="Compta").pk for u in demandeurs]
    client.force_login(gp)
    arbre = _arbre(client.get(reverse("approbations")))
    cases = arbre.xpath('//input[@type="checkbox"][@name="selection"]')
    assert sorted(c.get("value") for c in cases) == sorted(f"ORGANISATION:{i}" for i in ids)
    libelles = set()
    for case in cases:
        assert "fr-checkbox-group" in case.getparent().get("class")
        assert case.get("checked") is None
        libelle = _un(arbre, f'//label[@for="{case.get("id")}"]')
        libelles.add(_un(libelle, 'span[@class="fr-sr-only"]').text_content())
    assert libelles == {"Sélectionner la demande de Alice Martin", "Sélectionner la demande de Bruno Martin"}

    # A refusal without motif: the form's error above the table, Alice's box still checked, Bruno's not.
    response = client.post(reverse("approbations"), {"selection": [f"ORGANISATION:{ids[0]}"], "decision": "REFUSER"})
    arbre = _arbre(response)
    assert (
        "Le motif est obligatoire pour refuser des demandes."
        in _un(arbre, '//*[@data-testid="erreur-approbations"]').text_content()
    )
    coches = [c.get("value") for c in arbre.xpath('//input[@name="selection"]') if c.get("checked") is not None]
    assert coches == [f"ORGANISATION:{ids[0]}"]


def test_deposer_facture_zone_de_depot_imprimee_par_le_formulaire(client, fournisseur_gp):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    arbre = _arbre(client.get(reverse("deposer_facture")))
    zone = _un(arbre, '//div[@id="zone-depot"]')
    assert zone.get("class") == "fr-upload-group fr-mb-3w chorus-zone-depot" and zone.get("data-testid") == "zone-depot"
    champ = _un(zone, 'input[@id="id_fichier"]')
    assert (champ.get("type"), champ.get("name"), champ.get("class")) == ("file", "fichier", "fr-upload")
    assert champ.get("multiple") is not None and champ.get("aria-describedby") == "erreur-fichier"
    assert champ.get("accept") == ".pdf,.xml,application/pdf,application/xml,text/xml"
    libelle = _un(zone, 'label[@for="id_fichier"]').text_content()
    assert (
        "Fichiers des factures" in libelle and "Vous pouvez aussi faire glisser les fichiers dans ce cadre." in libelle
    )
    erreur = _un(zone, 'p[@id="erreur-fichier"]')
    assert erreur.get("hidden") is not None and erreur.get("data-testid") == "erreur-fichier"
    assert _un(zone, 'p[@id="fichiers-choisis"]').get("aria-live") == "polite"

    # The form's refusal is written in the same error line, shown.
    fichiers = [SimpleUploadedFile(f"f{i}.xml", b"<x/>") for i in range(11)]
    arbre = _arbre(client.post(reverse("deposer_facture"), {"fichier": fichiers, "fournisseur": structure.pk}))
    zone = _un(arbre, '//div[@id="zone-depot"]')
    assert "fr-upload-group--error" in zone.get("class").split()
    erreur = _un(zone, 'p[@id="erreur-fichier"]')
    assert erreur.get("hidden") is None
    assert erreur.text_content().strip() == "Vous pouvez déposer au plus 10 fichiers à la fois (11 choisis)."


def test_verifier_un_depot_champ_de_fichier_dsfr(client):
    arbre = _arbre(client.get(reverse("verifier_depot")))
    champ = _un(arbre, '//input[@type="file"]')
    assert (champ.get("id"), champ.get("name"), champ.get("class")) == ("id_fichier", "fichier", "fr-upload")
    assert _groupe(champ).get("class") == "fr-upload-group"
    assert _un(arbre, '//label[@for="id_fichier"]').text_content().strip().startswith("Document déposé")
    response = client.post(reverse("verifier_depot"), {"empreinte": ""})
    arbre = _arbre(response)
    champ = _un(arbre, '//input[@type="file"]')
    assert _groupe(champ).get("class") == "fr-upload-group fr-upload-group--error"
    assert champ.get("aria-invalid") == "true"
    assert "Déposez le document à vérifier ou collez son empreinte." in _groupe(champ).text_content()


def test_mes_messages_filtre_non_lus_et_cases_par_leurs_formulaires(client):
    moi = UtilisateurFactory()
    lu, non_lu = Message.objects.bulk_create(
        Message(destinataire=moi, evenement="FACTURE_STATUT", sujet=sujet, corps="Corps") for sujet in ("Lu", "Nouveau")
    )
    Message.objects.filter(pk=lu.pk).update(lu_le="2026-01-01T00:00:00Z")
    messagerie.compte_modifie([moi.pk])
    client.force_login(moi)
    arbre = _arbre(client.get(reverse("mes_messages")))
    case = _un(arbre, '//input[@id="non-lus"]')
    assert (case.get("type"), case.get("name"), case.get("checked")) == ("checkbox", "non_lus", None)
    assert "fr-checkbox-group" in case.getparent().get("class").split()
    assert _un(arbre, '//label[@for="non-lus"]').text_content().strip() == "Afficher uniquement les messages non lus"
    # One checkbox per message, printed by the selection form, labelled for screen readers by the message's subject.
    cases = arbre.xpath('//input[@type="checkbox"][@name="selection"]')
    assert [c.get("value") for c in cases] == [str(non_lu.pk), str(lu.pk)]
    for case, sujet in zip(cases, ("Nouveau", "Lu"), strict=True):
        assert "fr-checkbox-group" in case.getparent().get("class").split()
        libelle = _un(arbre, f'//label[@for="{case.get("id")}"]')
        assert _un(libelle, 'span[@class="fr-sr-only"]').text_content() == f"Sélectionner le message « {sujet} »"
    # What a browser sends for the checked box (« on »), and the next page's link (« 1 »): the unread only.
    for valeur in ("on", "1"):
        arbre = _arbre(client.get(reverse("mes_messages"), {"non_lus": valeur}))
        assert _un(arbre, '//input[@id="non-lus"]').get("checked") is not None
        assert [c.get("value") for c in arbre.xpath('//input[@name="selection"]')] == [str(non_lu.pk)]


def test_preferences_une_case_par_type_sous_son_application(client):
    moi = UtilisateurFactory()
    client.force_login(moi)
    messagerie.enregistrer_preferences(moi, {"FACTURE_RECUE": False})
    arbre = _arbre(client.get(reverse("preferences_messages")))
    types = {t.code: t for t in messagerie.types_messages()}
    cases = arbre.xpath('//input[@type="checkbox"][@name="par_courriel"]')
    assert sorted(c.get("value") for c in cases) == sorted(types)
    for case in cases:
        type_message = types[case.get("value")]
        assert (case.get("checked") is None) == (type_message.code == "FACTURE_RECUE")
        assert "fr-checkbox-group" in case.getparent().get("class").split()
        fieldset = case.xpath("ancestor::fieldset")[0]
        assert _un(fieldset, "legend").text_content() == type_message.application
        libelle = _un(arbre, f'//label[@for="{case.get("id")}"]')
        assert libelle.text_content().strip() == f"{type_message.libelle}Recevoir aussi par courriel"
        assert _un(libelle, 'span[@class="fr-hint-text"]').text_content() == "Recevoir aussi par courriel"
