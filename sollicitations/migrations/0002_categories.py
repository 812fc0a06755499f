"""The categories and sous-catégories of a sollicitation, with the routing of each sous-catégorie.

« Factures émises » and its sous-catégories « Question pour une entité publique », « Rejet d'une facture » and
« Erreur destinataire » are Chorus Pro's words (seeds 001 and 002); the rest follows the reference's RECALLED list
(§4): invoice matters go to the business service of the public structure the sender designates, technical and
account matters to the Chorus Pro support desk. Edited afterwards in the administration (``actif`` hides an
entry from new requests without touching the existing ones)."""

from django.db import migrations

SERVICE_METIER = "SERVICE_METIER"
SUPPORT = "SUPPORT"

CATEGORIES = [
    (
        "FACTURES_EMISES",
        "Factures émises",
        [
            ("QUESTION_ENTITE_PUBLIQUE", "Question pour une entité publique", SERVICE_METIER),
            ("SUIVI_TRAITEMENT", "Suivi du traitement d'une facture", SERVICE_METIER),
            ("PAIEMENT", "Paiement d'une facture", SERVICE_METIER),
            ("REJET", "Rejet d'une facture", SERVICE_METIER),
            ("ERREUR_DESTINATAIRE", "Erreur destinataire", SERVICE_METIER),
            ("DEPOT_SAISIE", "Difficulté de dépôt ou de saisie d'une facture", SUPPORT),
        ],
    ),
    (
        "COMPTE_STRUCTURE",
        "Compte utilisateur / Structure",
        [
            ("CONNEXION", "Création de compte ou connexion", SUPPORT),
            ("RATTACHEMENT", "Rattachement à une structure", SUPPORT),
            ("GESTIONNAIRE_PRINCIPAL", "Gestionnaire principal", SUPPORT),
            ("STRUCTURE_PUBLIQUE", "Création ou désactivation d'une structure publique", SUPPORT),
            ("CHANGEMENT_SIRET", "Changement de SIRET", SUPPORT),
        ],
    ),
    (
        "RACCORDEMENT",
        "Raccordement EDI / API",
        [
            ("EDI", "Raccordement EDI", SUPPORT),
            ("API", "Raccordement API (PISTE)", SUPPORT),
            ("COMPTE_TECHNIQUE", "Compte technique", SUPPORT),
            ("REJET_FLUX", "Rejet de flux", SUPPORT),
        ],
    ),
    (
        "ANNUAIRE",
        "Annuaire / données de référence",
        [
            ("DONNEES_STRUCTURE_PUBLIQUE", "Données d'une structure publique", SUPPORT),
            ("ENGAGEMENT_CODE_SERVICE", "Numéro d'engagement ou code service", SERVICE_METIER),
            ("DONNEES_INSEE", "Mise à jour des données INSEE", SUPPORT),
        ],
    ),
    (
        "AUTRE",
        "Autre",
        [
            ("AUTRE_DEMANDE", "Autre demande", SUPPORT),
        ],
    ),
]


def charger(apps, schema_editor):
    Categorie = apps.get_model("sollicitations", "Categorie")
    SousCategorie = apps.get_model("sollicitations", "SousCategorie")
    for ordre, (code, libelle, sous_categories) in enumerate(CATEGORIES, start=1):
        categorie, _ = Categorie.objects.update_or_create(
            code=code, defaults={"libelle": libelle, "ordre": ordre * 10, "actif": True}
        )
        for sous_ordre, (sous_code, sous_libelle, acheminement) in enumerate(sous_categories, start=1):
            SousCategorie.objects.update_or_create(
                categorie=categorie,
                code=sous_code,
                defaults={
                    "libelle": sous_libelle,
                    "ordre": sous_ordre * 10,
                    "acheminement": acheminement,
                    "actif": True,
                },
            )


def retirer(apps, schema_editor):
    Categorie = apps.get_model("sollicitations", "Categorie")
    SousCategorie = apps.get_model("sollicitations", "SousCategorie")
    codes = [code for code, _libelle, _sous in CATEGORIES]
    SousCategorie.objects.filter(categorie__code__in=codes).delete()
    Categorie.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("sollicitations", "0001_sollicitations")]

    operations = [migrations.RunPython(charger, retirer)]
