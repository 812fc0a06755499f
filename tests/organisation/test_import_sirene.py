import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organisation import sirene
from organisation.enums import OptionMoa, StatutStructure, TypeIdentifiant, TypeStructure
from organisation.models import EtablissementInsee, Structure
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

ECHANTILLON = Path(__file__).parent / "data" / "sirene_sample.csv"
SIRET_ETAT = "11000201100044"
PUBLIQUES = {
    SIRET_ETAT,
    "21750001600019",
    "23750007900312",
    "26750045200011",
    "77566343801906",
    "13002526500013",
}
PRIVEES = {"55208131766522", "54205118000066", "81234567600025", "85012345600012"}
COLONNES_ETABLISSEMENT = ECHANTILLON.read_text(encoding="utf-8").splitlines()[0].split(",")[:-2]


def _importer(*options) -> str:
    sortie = io.StringIO()
    call_command("import_sirene", str(ECHANTILLON), *options, stdout=sortie)
    return sortie.getvalue()


def test_import_de_l_echantillon_compte_et_resume_en_francais():
    sortie = _importer()
    assert (
        "Import SIRENE terminé : 10 établissements enregistrés dans la base INSEE, 6 structures publiques créées, "
        "0 mise à jour, 1 ligne ignorée (SIRET invalide)." in sortie
    )
    # Every valid row is in the INSEE base; only the public establishments became structures.
    assert set(EtablissementInsee.objects.values_list("siret", flat=True)) == PUBLIQUES | PRIVEES
    assert set(Structure.objects.values_list("identifiant", flat=True)) == PUBLIQUES
    assert set(Structure.objects.values_list("type_structure", flat=True)) == {TypeStructure.PUBLIQUE}
    assert not EtablissementInsee.objects.filter(siret="12345678901234").exists()
    assert not Structure.objects.filter(identifiant="12345678901234").exists()


def test_etablissements_prives_enregistres_dans_la_base_insee_sans_structure():
    _importer()
    assert not Structure.objects.filter(identifiant__in=PRIVEES).exists()
    assert set(EtablissementInsee.objects.filter(est_public=False).values_list("siret", flat=True)) == PRIVEES
    edf = EtablissementInsee.objects.get(siret="55208131766522")
    assert edf.raison_sociale == "ELECTRICITE DE FRANCE"
    assert (edf.adresse, edf.code_postal, edf.ville) == ("22 AVENUE DE WAGRAM", "75008", "PARIS")
    assert (edf.code_pays, edf.libelle_pays) == ("FR", "France")
    assert edf.categorie_juridique == "5599"
    assert not edf.est_public
    assert edf.actif
    totale = EtablissementInsee.objects.get(siret="54205118000066")
    assert totale.complement_adresse == "LA DEFENSE 6"


def test_base_insee_categorie_et_etat_des_etablissements_publics():
    _importer()
    etat = EtablissementInsee.objects.get(siret=SIRET_ETAT)
    assert (etat.raison_sociale, etat.adresse, etat.code_postal, etat.ville) == (
        "SERVICES DU PREMIER MINISTRE",
        "57 RUE DE VARENNE",
        "75007",
        "PARIS",
    )
    assert (etat.categorie_juridique, etat.est_public, etat.actif) == ("7111", True, True)
    ratp = EtablissementInsee.objects.get(siret="77566343801906")
    assert (ratp.categorie_juridique, ratp.est_public) == ("4110", True)  # EPIC: catégorie 4
    # A closed establishment (état F) is stored inactive.
    dinum = EtablissementInsee.objects.get(siret="13002526500013")
    assert dinum.est_public and not dinum.actif


def test_structure_de_l_etat_publique_active_avec_adresse():
    _importer()
    etat = Structure.objects.get(type_identifiant=TypeIdentifiant.SIRET, identifiant=SIRET_ETAT)
    assert etat.raison_sociale == "SERVICES DU PREMIER MINISTRE"
    assert etat.type_structure == TypeStructure.PUBLIQUE
    assert etat.statut == StatutStructure.ACTIVE
    assert etat.adresse == "57 RUE DE VARENNE"
    assert etat.code_postal == "75007"
    assert etat.ville == "PARIS"
    assert (etat.code_pays, etat.libelle_pays) == ("FR", "France")
    # New structures get the default parameters.
    assert etat.option_moa == OptionMoa.SANS_MOA
    assert not etat.code_service_obligatoire


def test_correspondance_des_colonnes_sirene():
    _importer()
    par_siret = {s.identifiant: s for s in Structure.objects.all()}
    insee = {e.siret: e for e in EtablissementInsee.objects.all()}
    # Street type abbreviations expanded.
    assert par_siret["26750045200011"].adresse == "3 AVENUE VICTORIA"
    assert par_siret["21750001600019"].adresse == "4 PLACE DE L HOTEL DE VILLE"
    # The establishment's usual name comes before the legal unit's.
    assert par_siret["26750045200011"].raison_sociale == "AP-HP SIEGE"
    # A sole trader has no denomination: the sign (enseigne) names it; « B » is « BIS ».
    boulangerie = insee["81234567600025"]
    assert boulangerie.raison_sociale == "BOULANGERIE DES LILAS"
    assert boulangerie.adresse == "12 BIS RUE DES LILAS"
    assert not boulangerie.est_public  # catégorie 1000: entrepreneur individuel
    # CEDEX: the CEDEX code and label replace the postal code and the town.
    ratp = par_siret["77566343801906"]
    assert (ratp.code_postal, ratp.ville) == ("75599", "PARIS CEDEX 12")
    assert ratp.type_structure == TypeStructure.PUBLIQUE  # catégorie 4110: EPIC
    # A closed establishment (état F) is created inactive.
    assert par_siret["13002526500013"].statut == StatutStructure.INACTIVE
    assert par_siret["13002526500013"].complement_adresse == "TSA 30719"
    # Partially diffusible: « [ND] » fields are left empty.
    nd = insee["85012345600012"]
    assert nd.adresse == ""
    assert (nd.code_postal, nd.ville, nd.raison_sociale) == ("33000", "BORDEAUX", "CONSEIL ET FORMATION AQUITAINE")


def test_reimport_met_a_jour_sans_rien_creer():
    depart = timezone.now()
    with time_machine.travel(depart, tick=False):
        _importer()
    Structure.objects.filter(identifiant=SIRET_ETAT).update(adresse="ANCIENNE ADRESSE", raison_sociale="ANCIEN NOM")
    EtablissementInsee.objects.filter(siret="55208131766522").update(adresse="ANCIENNE ADRESSE", actif=False)
    with time_machine.travel(depart + timedelta(days=30), tick=False):
        sortie = _importer()
    assert (
        "10 établissements enregistrés dans la base INSEE, 0 structure publique créée, 6 mises à jour, "
        "1 ligne ignorée (SIRET invalide)." in sortie
    )
    assert Structure.objects.count() == 6
    assert EtablissementInsee.objects.count() == 10
    etat = Structure.objects.get(identifiant=SIRET_ETAT)
    assert (etat.raison_sociale, etat.adresse) == ("SERVICES DU PREMIER MINISTRE", "57 RUE DE VARENNE")
    edf = EtablissementInsee.objects.get(siret="55208131766522")
    assert (edf.adresse, edf.actif) == ("22 AVENUE DE WAGRAM", True)
    assert set(EtablissementInsee.objects.values_list("importe_le", flat=True)) == {depart + timedelta(days=30)}


def test_structure_existante_parametres_et_statut_intacts():
    existante = StructureFactory(
        identifiant="21750001600019",
        raison_sociale="Mairie de Paris (ancien nom)",
        type_structure=TypeStructure.PUBLIQUE,
        statut=StatutStructure.INACTIVE,
        adresse="1 RUE QUELCONQUE",
        code_service_obligatoire=True,
        engagement_obligatoire=True,
        service_ou_engagement_obligatoire=True,
        mise_en_paiement_non_remontee=True,
        option_moa=OptionMoa.AVEC_MOA,
        emetteur_edi=True,
        recepteur_edi=True,
        telephone="01 42 76 40 40",
        courriel="factures@paris.fr",
    )
    prive_existant = StructureFactory(identifiant="55208131766522", raison_sociale="EDF", statut=StatutStructure.ACTIVE)

    compteurs = sirene.importer(ECHANTILLON)

    # The existing private structure is refreshed too; no other private one is created.
    assert compteurs == {"enregistres": 10, "creees": 5, "mises_a_jour": 2, "ignorees": 1, "ecartees": 0}
    assert set(Structure.objects.values_list("identifiant", flat=True)) == PUBLIQUES | {"55208131766522"}
    existante.refresh_from_db()
    assert existante.raison_sociale == "VILLE DE PARIS"
    assert existante.adresse == "4 PLACE DE L HOTEL DE VILLE"
    assert (existante.code_postal, existante.ville) == ("75004", "PARIS")
    assert existante.statut == StatutStructure.INACTIVE
    assert existante.code_service_obligatoire
    assert existante.engagement_obligatoire
    assert existante.service_ou_engagement_obligatoire
    assert existante.mise_en_paiement_non_remontee
    assert existante.option_moa == OptionMoa.AVEC_MOA
    assert existante.emetteur_edi and existante.recepteur_edi
    assert (existante.telephone, existante.courriel) == ("01 42 76 40 40", "factures@paris.fr")
    prive_existant.refresh_from_db()
    assert prive_existant.raison_sociale == "ELECTRICITE DE FRANCE"
    assert prive_existant.type_structure == TypeStructure.PRIVEE


def _fichier_sans_nom(colonnes, lignes: list[dict]) -> io.StringIO:
    vide = {colonne: "" for colonne in colonnes}
    contenu = [",".join(colonnes)]
    for valeurs in lignes:
        ligne = vide | {"etatAdministratifEtablissement": "A", "codePostalEtablissement": "75001"} | valeurs
        contenu.append(",".join(ligne[c] for c in colonnes))
    return io.StringIO("\n".join(contenu) + "\n")


def test_ligne_sans_nom_garde_le_nom_existant_sinon_nom_par_defaut():
    StructureFactory(identifiant="21750001600019", raison_sociale="Ville de Paris")
    fichier = _fichier_sans_nom(COLONNES_ETABLISSEMENT, [{"siret": "21750001600019"}, {"siret": "55208131766522"}])

    compteurs = sirene.importer(fichier)

    # Without the joined legal-unit columns the public/private split is unknown: nothing is created, the existing
    # structure is refreshed and both rows are in the INSEE base, as private establishments with no name.
    assert (compteurs["enregistres"], compteurs["creees"], compteurs["mises_a_jour"]) == (2, 0, 1)
    existante = Structure.objects.get(identifiant="21750001600019")
    assert (existante.raison_sociale, existante.code_postal) == ("Ville de Paris", "75001")
    assert not Structure.objects.filter(identifiant="55208131766522").exists()
    inconnu = EtablissementInsee.objects.get(siret="55208131766522")
    assert (inconnu.raison_sociale, inconnu.categorie_juridique, inconnu.est_public) == ("", "", False)

    # A public establishment that names nothing and has no structure yet gets a default name.
    colonnes = [*COLONNES_ETABLISSEMENT, "categorieJuridiqueUniteLegale"]
    compteurs = sirene.importer(
        _fichier_sans_nom(colonnes, [{"siret": "23750007900312", "categorieJuridiqueUniteLegale": "7230"}])
    )
    assert (compteurs["creees"], compteurs["mises_a_jour"]) == (1, 0)
    nouvelle = Structure.objects.get(identifiant="23750007900312")
    assert nouvelle.raison_sociale == "Établissement 23750007900312"
    assert nouvelle.type_structure == TypeStructure.PUBLIQUE


def test_import_par_petits_lots_et_publiques_seulement():
    prive_existant = StructureFactory(identifiant="55208131766522", raison_sociale="EDF")
    sortie = io.StringIO()
    call_command("import_sirene", str(ECHANTILLON), "--publiques-seulement", "--taille-lot", "3", stdout=sortie)
    assert (
        "Import SIRENE terminé : 6 établissements enregistrés dans la base INSEE, 6 structures publiques créées, "
        "0 mise à jour, 1 ligne ignorée (SIRET invalide), 4 établissements privés écartés." in sortie.getvalue()
    )
    assert set(Structure.objects.values_list("identifiant", flat=True)) == PUBLIQUES | {"55208131766522"}
    # Private rows are skipped entirely: not in the INSEE base, and an existing private structure is untouched.
    assert set(EtablissementInsee.objects.values_list("siret", flat=True)) == PUBLIQUES
    prive_existant.refresh_from_db()
    assert prive_existant.raison_sociale == "EDF"


def test_import_par_lots_meme_resultat_qu_en_un_seul_lot():
    with CaptureQueriesContext(connection) as requetes:
        compteurs = sirene.importer(ECHANTILLON, taille_lot=4)
    # 11 rows in batches of 4: one upsert of the INSEE base per batch, and one of the structures per batch that has
    # public rows (the last batch, rows 9 to 11, only has private establishments and an invalid SIRET).
    insertions = [q["sql"] for q in requetes.captured_queries if q["sql"].startswith("INSERT")]
    assert sum('"organisation_etablissementinsee"' in sql for sql in insertions) == 3
    assert sum('"organisation_structure"' in sql for sql in insertions) == 2
    assert all("ON CONFLICT" in sql for sql in insertions)
    assert compteurs == {"enregistres": 10, "creees": 6, "mises_a_jour": 0, "ignorees": 1, "ecartees": 0}
    assert set(EtablissementInsee.objects.values_list("siret", flat=True)) == PUBLIQUES | PRIVEES
    assert set(Structure.objects.values_list("identifiant", flat=True)) == PUBLIQUES


def test_publiques_seulement_exige_la_categorie_juridique(tmp_path):
    fichier = tmp_path / "etablissements.csv"
    ligne = {colonne: "" for colonne in COLONNES_ETABLISSEMENT} | {"siret": SIRET_ETAT}
    fichier.write_text(
        ",".join(COLONNES_ETABLISSEMENT) + "\n" + ",".join(ligne[c] for c in COLONNES_ETABLISSEMENT) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="categorieJuridiqueUniteLegale"):
        call_command("import_sirene", str(fichier), "--publiques-seulement", stdout=io.StringIO())
    assert not Structure.objects.exists()
    assert not EtablissementInsee.objects.exists()


def test_fichier_introuvable():
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_sirene", "/nulle/part/StockEtablissement.csv", stdout=io.StringIO())


def test_etablissement_depuis_ligne_siret_invalide():
    with pytest.raises(sirene.LigneInvalide, match="clé de contrôle"):
        sirene.etablissement_depuis_ligne({"siret": "12345678901234"})
    donnees = sirene.etablissement_depuis_ligne({"siren": "110002011", "nic": "00044", "siret": ""})
    assert donnees["identifiant"] == SIRET_ETAT
    assert donnees["type_structure"] is None
