"""Saisie of an invoice: drafts, routing rules, sending with the certificate, and the tenancy refusals."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from facturation import queries, services
from facturation.enums import StatutFacture
from facturation.models import Facture, HistoriqueFacture
from organisation import services as org_services
from tests import outils
from tests.factories import UtilisateurFactory, rattacher, structure_privee, utilisateur_de
from tests.facturation.factories import FactureFactory, recycler
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db


def _brouillon(client, structure, etat) -> Facture:
    """« Enregistrer » a saisie as the logged-in user: the draft."""
    client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "enregistrer"})
    return Facture.objects.get()


def test_enregistrer_un_brouillon_calcule_les_montants(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "enregistrer"})
    facture = Facture.objects.get()
    assert response["Location"] == reverse("modifier_brouillon", args=[facture.pk])
    assert facture.statut == StatutFacture.BROUILLON
    assert (facture.montant_ht + facture.montant_tva) == facture.montant_ttc
    assert facture.montant_ttc_avant_remise == D("415.02")
    assert facture.lignes.count() == 3
    assert [r.taux for r in facture.recapitulatif_tva.all()] == [D("5.50"), D("20.00")]
    assert facture.service_destinataire.code == "DRFIP_IDF" and facture.destinataire == etat
    # The draft is listed in the Synthèse.
    assert "F2026-001" in outils.texte(client.get(reverse("factures_emises")))


def test_calculer_affiche_les_totaux_sans_rien_enregistrer(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "calculer"})
    assert 'data-testid="total-ttc"' in outils.texte(response)
    assert not Facture.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code_service": ""}, "Le code service est obligatoire pour ce destinataire."),
        ({"code_service": "ANCIEN"}, "Ce service n'existe pas ou n'est pas actif chez le destinataire."),
        ({"code_service": "INCONNU"}, "Ce code service n'existe pas chez le destinataire."),
        ({"numero_engagement": ""}, "Le numéro d'engagement est obligatoire pour ce destinataire."),
        ({"destinataire_etat": "non", "destinataire_siret": "73282932000074"}, "Aucune structure publique"),
        ({"destinataire_etat": "non", "destinataire_siret": "73282932000075"}, "clé de contrôle"),
        ({"type_facture": "AVOIR"}, "Un avoir doit indiquer le numéro de la facture d'origine."),
        ({"type_tva": "EXONERATION"}, "Le motif d'exonération de TVA est obligatoire."),
        ({"cadre": "A9_FACTURE_SOUSTRAITANT"}, "Le valideur (titulaire ou mandataire) est obligatoire"),
        ({"lignes-0-prix_unitaire_ht": "douze"}, "n'est pas un montant valide"),
        ({"remise_globale_ttc": "9999"}, "ne peut pas dépasser le montant TTC"),
    ],
)
def test_regles_refusent_l_envoi_avec_un_message_sur_le_champ(client, fournisseur_gp, etat, changes, message):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = client.post(
        reverse("saisir_facture"), {**donnees_saisie(structure, etat, **changes), "action": "valider"}
    )
    assert response.status_code == 200
    assert message in outils.texte(response)
    assert not Facture.objects.exclude(statut=StatutFacture.BROUILLON).exists()


def test_numero_deja_utilise_refuse(fournisseur_gp, etat, client):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    premiere = _brouillon(client, structure, etat)
    Facture.objects.filter(pk=premiere.pk).update(statut=StatutFacture.MISE_A_DISPOSITION)
    response = client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "valider"})
    assert "Ce numéro de facture est déjà utilisé par votre structure" in outils.texte(response)


def test_saisie_exige_le_mandat_de_facturation(client, etat):

    gp = UtilisateurFactory()
    structure = structure_privee(gp, "Sans mandat")
    org_services.ajouter_coordonnees_bancaires(
        acting_user=gp, structure=structure, titulaire="X", iban="FR7630006000011234567890189", bic="AGRIFRPP882"
    )
    client.force_login(gp)
    data = donnees_saisie(structure, etat, coordonnees_bancaires="")
    response = client.post(reverse("saisir_facture"), {**data, "action": "valider"})
    assert "exige le mandat de facturation" in outils.texte(response)


def test_un_utilisateur_en_consultation_ne_saisit_pas(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    lecteur = UtilisateurFactory()
    rattacher(gp, lecteur, structure)
    org_services.definir_profils(utilisateur=lecteur, structure=structure, profils={"FACTURES_EMISES": "consultation"})
    client.force_login(gp)
    facture = _brouillon(client, structure, etat)
    client.force_login(lecteur)
    assert client.get(reverse("facture_emise", args=[facture.pk])).status_code == 200
    assert client.get(reverse("saisir_facture")).status_code == 403
    assert client.get(reverse("modifier_brouillon", args=[facture.pk])).status_code == 403
    assert client.post(reverse("confirmer_envoi", args=[facture.pk])).status_code == 404
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.BROUILLON


def test_une_autre_structure_ne_voit_rien(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    facture = _brouillon(client, structure, etat)
    intrus = UtilisateurFactory()
    client.force_login(intrus)
    # Without « Factures émises » in modification the saisie refuses (403); another structure's invoice is not found.
    attendus = {
        "facture_emise": 404,
        "modifier_brouillon": 403,
        "confirmer_envoi": 404,
        "recapitulatif": 404,
        "certificat_depot": 404,
    }
    assert {name: client.get(reverse(name, args=[facture.pk])).status_code for name in attendus} == attendus
    assert not queries.factures_emises(intrus).exists()
    assert "F2026-001" not in outils.texte(client.get(reverse("rechercher_factures")))


def test_circuit_destinataire_et_actions_du_fournisseur(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = services.enregistrer(
        acting_user=gp,
        donnees={
            "fournisseur": structure,
            "destinataire": etat,
            "service_destinataire": etat.services.get(code="DRFIP_IDF"),
            "coordonnees_bancaires": structure.coordonnees_bancaires.get(),
            "numero": "F-1",
            "date_facture": __import__("datetime").date(2026, 11, 1),
            "numero_engagement": "EJ-1",
        },
        lignes=[{"denomination": "Prestation", "quantite": 1, "prix_unitaire_ht": "100", "taux_tva": "20"}],
    )
    services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=b"%PDF-1.4 test", nom_fichier="f.pdf")
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert len(facture.empreinte_certificat) == 44

    agent = utilisateur_de(etat, profils={"FACTURES_RECUES": "modification"})
    with pytest.raises(Exception, match="Un motif est obligatoire"):
        services.traiter(acting_user=agent, facture=facture, statut=StatutFacture.SUSPENDUE)
    services.traiter(
        acting_user=agent, facture=facture, statut=StatutFacture.SUSPENDUE, motif="Bon de livraison manquant"
    )
    with pytest.raises(Exception, match="Ajoutez un commentaire"):
        services.completer(acting_user=gp, facture=facture)
    services.completer(acting_user=gp, facture=facture, commentaire="BL joint")
    services.traiter(acting_user=agent, facture=facture, statut=StatutFacture.A_RECYCLER, motif="Mauvais service")
    with pytest.raises(Exception, match="code service est obligatoire"):
        recycler(facture, etat, numero_engagement="EJ-1")
    recycler(facture, etat, "FACTURES_PUBLIQUES", numero_engagement="EJ-1")
    services.traiter(acting_user=agent, facture=facture, statut=StatutFacture.REJETEE, motif="Erreur de montant")
    services.traiter_rejet(acting_user=gp, facture=facture)
    with pytest.raises(Exception, match="pas de rejet à traiter"):
        services.traiter_rejet(acting_user=gp, facture=facture)
    statuts = list(
        HistoriqueFacture.objects.filter(objet=facture).order_by("created_at", "id").values_list("statut", flat=True)
    )
    assert statuts == [
        "DEPOSEE",
        "MISE_A_DISPOSITION",
        "SUSPENDUE",
        "COMPLETEE",
        "A_RECYCLER",
        "DEPOSEE",
        "MISE_A_DISPOSITION",
        "REJETEE",
        "REJETEE",
    ]
    assert HistoriqueFacture.chaine_intacte(facture)
    # The supplier cannot act as the recipient.
    with pytest.raises(Exception, match="Factures reçues"):
        services.traiter(acting_user=gp, facture=facture, statut=StatutFacture.MISE_EN_PAIEMENT)


def test_brouillon_oublie_relance_une_seule_fois(client, fournisseur_gp, etat):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from chorus.models import OutboxMessage

    gp, structure = fournisseur_gp
    client.force_login(gp)
    client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "enregistrer"})
    OutboxMessage.objects.all().delete()
    assert services.relancer_brouillons() == 0
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert services.relancer_brouillons() == 1
        assert services.relancer_brouillons() == 0
    message = OutboxMessage.objects.get()
    assert message.payload["to"] == [gp.email] and "Brouillon de facture non envoyé" in message.payload["subject"]
    assert "Brouillon non envoyé" in outils.texte(client.get(reverse("factures_emises")))


def test_pages_de_liste_requetes_bornees(client, fournisseur_gp, etat, django_assert_max_num_queries):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    for i in range(12):
        client.post(
            reverse("saisir_facture"), {**donnees_saisie(structure, etat, numero=f"F-{i}"), "action": "enregistrer"}
        )
    for name in ("factures_emises", "rechercher_factures", "tableau_de_bord_factures"):
        with django_assert_max_num_queries(10):
            response = client.get(reverse(name))
        assert response.status_code == 200
    assert outils.texte(client.get(reverse("rechercher_factures"))).count('data-testid="facture"') == 12
    export = b"".join(client.get(reverse("exporter_factures")).streaming_content).decode("utf-8-sig")
    assert export.splitlines()[0].startswith("Numéro;Type;Cadre;Statut")
    assert len(export.splitlines()) == 13


def test_page_recycler_et_ses_erreurs(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    facture = _brouillon(client, structure, etat)
    Facture.objects.filter(pk=facture.pk).update(statut=StatutFacture.A_RECYCLER)
    url = reverse("recycler_facture", args=[facture.pk])
    assert "DRFIP_IDF" in outils.texte(client.get(url))
    response = client.post(url, {"destinataire_siret": etat.identifiant, "code_service": "", "numero_engagement": ""})
    assert "Le code service est obligatoire pour ce destinataire." in outils.texte(response)
    response = client.post(url, {"destinataire_siret": "123", "code_service": "", "numero_engagement": ""})
    assert "Aucune structure publique" in outils.texte(response)


def _piece(client, facture, nom, contenu, designation="Bon de livraison"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("ajouter_piece_jointe", args=[facture.pk]),
        {"type_piece": "BON_DE_LIVRAISON", "designation": designation, "fichier": SimpleUploadedFile(nom, contenu)},
        follow=True,
    )


def test_pieces_jointes_limites_et_contenu(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    facture = _brouillon(client, structure, etat)
    assert "Extension non autorisée (.exe)" in outils.texte(_piece(client, facture, "virus.exe", b"MZ"))
    assert "ne correspond pas à son extension .pdf" in outils.texte(_piece(client, facture, "bl.pdf", b"GIF89a"))
    assert "50 caractères" in outils.texte(_piece(client, facture, "n" * 60 + ".pdf", b"%PDF-1.4"))
    assert "désignation est obligatoire" in outils.texte(_piece(client, facture, "bl.pdf", b"%PDF-1.4", designation=""))
    assert not facture.pieces_jointes.exists()
    response = _piece(client, facture, "bl.pdf", b"%PDF-1.4 bon de livraison")
    assert "La pièce jointe est ajoutée." in outils.texte(response)
    piece = facture.pieces_jointes.get()
    assert piece.taille == 25 and piece.type_contenu == "application/pdf"
    download = client.get(reverse("telecharger_piece_jointe", args=[facture.pk, piece.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 bon de livraison"
    # Another structure's user cannot download it.
    client.force_login(UtilisateurFactory())
    assert client.get(reverse("telecharger_piece_jointe", args=[facture.pk, piece.pk])).status_code == 404


def test_les_rejets_non_traites_s_affichent_a_la_connexion(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    facture = _brouillon(client, structure, etat)
    services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=b"%PDF-1.4 r", nom_fichier="r.pdf")
    assert 'data-testid="alertes-connexion"' not in outils.texte(client.get(reverse("domaines")))
    services.CIRCUIT.transition(facture, to="REJETEE", acting_user=None, role="DESTINATAIRE", motif="Erreur de TVA")
    page = outils.texte(client.get(reverse("domaines")))
    assert 'data-testid="alertes-connexion"' in page and "Erreur de TVA" in page and "F2026-001" in page
    services.traiter_rejet(acting_user=gp, facture=facture)
    assert 'data-testid="alertes-connexion"' not in outils.texte(client.get(reverse("domaines")))


def test_export_csv_neutralise_les_formules(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat, numero="=1+1"), "action": "enregistrer"})
    export = b"".join(client.get(reverse("exporter_factures")).streaming_content).decode("utf-8-sig")
    assert export.splitlines()[1].startswith("'=1+1;")


def test_calcul_en_direct_par_le_serveur(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    reponse = client.post(reverse("calculer_montants"), donnees_saisie(structure, etat)).json()
    assert reponse["ok"] and reponse["total_ttc"] == "385,02\u00a0€"
    assert [t["taux"] for t in reponse["tva"]] == ["5,5", "20"]
    reponse = client.post(
        reverse("calculer_montants"), donnees_saisie(structure, etat, **{"lignes-0-prix_unitaire_ht": "x"})
    ).json()
    assert not reponse["ok"] and "n'est pas un montant valide" in " ".join(reponse["erreurs"])
    assert not Facture.objects.exists()


def test_facture_de_sous_traitant_validee_par_le_titulaire(fournisseur_gp, etat):
    from datetime import date

    gp, structure = fournisseur_gp
    titulaire_gp = UtilisateurFactory()
    titulaire = structure_privee(titulaire_gp, "Titulaire SA")
    donnees = {
        "fournisseur": structure,
        "destinataire": etat,
        "service_destinataire": etat.services.get(code="DRFIP_IDF"),
        "coordonnees_bancaires": structure.coordonnees_bancaires.get(),
        "date_facture": date(2026, 11, 1),
        "numero_engagement": "EJ-9",
        "cadre": "A9_FACTURE_SOUSTRAITANT",
        "valideur": titulaire,
    }
    lignes = [{"denomination": "Lot 2", "quantite": 1, "prix_unitaire_ht": "500", "taux_tva": "20"}]
    facture = services.enregistrer(acting_user=gp, donnees={**donnees, "numero": "ST-1"}, lignes=lignes)
    services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=b"%PDF-1.4 st1", nom_fichier="st1.pdf")
    assert facture.statut == StatutFacture.A_VALIDER_1
    # Neither the supplier nor a stranger validates it.
    with pytest.raises(Exception, match="Factures à valider"):
        services.valider_facture(acting_user=gp, facture=facture, accepter=True)
    services.valider_facture(acting_user=titulaire_gp, facture=facture, accepter=True)
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION

    refusee = services.enregistrer(acting_user=gp, donnees={**donnees, "numero": "ST-2"}, lignes=lignes)
    services.valider_et_envoyer(acting_user=gp, facture=refusee, contenu=b"%PDF-1.4 st2", nom_fichier="st2.pdf")
    with pytest.raises(Exception, match="Un motif est obligatoire"):
        services.valider_facture(acting_user=titulaire_gp, facture=refusee, accepter=False)
    services.valider_facture(acting_user=titulaire_gp, facture=refusee, accepter=False, motif="Travaux non réalisés")
    assert refusee.statut == StatutFacture.REFUSEE_1


def test_notifications_aux_seuls_utilisateurs_habilites(fournisseur_gp, etat):
    from datetime import date

    from chorus.models import OutboxMessage

    gp, structure = fournisseur_gp
    sans_profil = UtilisateurFactory()
    rattacher(gp, sans_profil, structure)
    org_services.definir_profils(utilisateur=sans_profil, structure=structure, profils={"FACTURES_EMISES": None})
    agent = utilisateur_de(etat, profils={"FACTURES_RECUES": "consultation"})
    OutboxMessage.objects.all().delete()
    facture = FactureFactory(
        fournisseur_gp=fournisseur_gp, destinataire=etat, numero="N-1", date_facture=date(2026, 11, 1), numero_marche=""
    )
    services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=b"%PDF-1.4 n1", nom_fichier="n1.pdf")
    destinataires = {e for m in OutboxMessage.objects.all() for e in m.payload["to"]}
    assert gp.email in destinataires and agent.email in destinataires
    assert sans_profil.email not in destinataires


def test_completer_une_facture_suspendue_par_une_piece_jointe(client, fournisseur_gp, etat):
    from datetime import date

    gp, structure = fournisseur_gp
    facture = FactureFactory(
        fournisseur_gp=fournisseur_gp, destinataire=etat, numero="S-1", date_facture=date(2026, 11, 1), numero_marche=""
    )
    services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=b"%PDF-1.4 s1", nom_fichier="s1.pdf")
    services.CIRCUIT.transition(facture, to="SUSPENDUE", acting_user=None, role="DESTINATAIRE", motif="BL manquant")
    client.force_login(gp)
    response = client.post(reverse("completer_facture", args=[facture.pk]), {"commentaire": ""}, follow=True)
    assert "Ajoutez un commentaire ou au moins une pièce jointe" in outils.texte(response)
    assert "Joindre" in outils.texte(response)  # the attachment form is offered on a suspended invoice
    _piece(client, facture, "bl.pdf", b"%PDF-1.4 bl")
    response = client.post(reverse("completer_facture", args=[facture.pk]), {"commentaire": ""}, follow=True)
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.COMPLETEE


def test_une_saisie_de_200_lignes_est_acceptee(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    data = donnees_saisie(structure, etat, **{"lignes-TOTAL_FORMS": "200", "remise_globale_ttc": ""})
    for i in range(3, 200):
        data.update(
            {
                f"lignes-{i}-denomination": f"Article {i}",
                f"lignes-{i}-quantite": "1",
                f"lignes-{i}-unite": "C62",
                f"lignes-{i}-prix_unitaire_ht": "1,50",
                f"lignes-{i}-remise_ht": "",
                f"lignes-{i}-taux_tva": "20",
                f"lignes-{i}-reference": "",
            }
        )
    response = client.post(reverse("saisir_facture"), {**data, "action": "enregistrer"})
    assert response.status_code == 302
    assert Facture.objects.get().lignes.count() == 200
