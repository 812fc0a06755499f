import functools

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from chorus.messagerie import TypeMessage, register_type_message
from chorus.navigation import (
    Application,
    EntreeMenu,
    Onglet,
    register_action_publique,
    register_alerte_connexion,
    register_application,
    register_onglet_supplementaire,
    register_onglets,
)
from facturation import queries
from facturation.models import HistoriqueFacture
from organisation import queries as org_queries

# The invoice applications on the Domaines page: (code, label, home page, description, rank); each tile is offered to
# the users who hold its profile somewhere.
for code, libelle, url_name, description, ordre in (
    (
        "FACTURES_EMISES",
        "Factures émises",
        "factures_emises",
        "Saisir et suivre vos factures et avoirs adressés aux entités publiques.",
        10,
    ),
    (
        "FACTURES_A_VALIDER",
        "Factures à valider",
        "factures_a_valider",
        "Valider ou refuser les factures de vos sous-traitants et cotraitants.",
        30,
    ),
    (
        "FACTURES_RECUES",
        "Factures reçues",
        "factures_recues",
        "Consulter et traiter les factures adressées à vos structures et services.",
        20,
    ),
):
    accessible = functools.partial(org_queries.a_application, application=code)
    register_application(
        Application(code, libelle, "FACTURATION", url_name, description, ordre=ordre, accessible=accessible)
    )

# « Vérifier un dépôt » on the public home page: anyone checks a document against its certificat de dépôt.
register_action_publique(EntreeMenu(libelle="Vérifier un dépôt", url_name="verifier_depot", ordre=30))


def _rejets_a_traiter(user) -> list[dict]:
    motif = HistoriqueFacture.objects.filter(objet=OuterRef("pk"), statut="REJETEE").order_by("-created_at", "-id")
    factures = (
        queries.factures_emises(user)
        .filter(statut="REJETEE", rejet_traite=False)
        .annotate(motif=Subquery(motif.values("motif")[:1]), date_rejet=Subquery(motif.values("created_at")[:1]))
        .values("pk", "numero", "destinataire__raison_sociale", "motif", "date_rejet")
        .order_by("-date_rejet")[:50]
    )
    return [
        {
            "date": f["date_rejet"],
            "numero": f["numero"],
            "destinataire": f["destinataire__raison_sociale"],
            "motif": f["motif"],
            "url": reverse("facture_emise", args=[f["pk"]]),
        }
        for f in factures
    ]


register_alerte_connexion("REJETS", _rejets_a_traiter)


register_onglets(
    "FACTURES_EMISES",
    "Factures émises",
    [
        Onglet("Synthèse", "factures_emises"),
        Onglet("Rechercher", "rechercher_factures"),
        Onglet("Tableau de bord", "tableau_de_bord_factures"),
        Onglet("Saisir facture", "saisir_facture"),
        Onglet("Déposer facture", "deposer_facture"),
        # Seed 004's tabs D, E, F, in its order (``facturation.views.listes``).
        Onglet("Informations du fournisseur", "informations_fournisseur_emises"),
        Onglet("Liste fiscale", "liste_fiscale_emises"),
        Onglet("Archives", "archives_emises"),
    ],
)
register_onglets(
    "FACTURES_RECUES",
    "Factures reçues",
    [
        Onglet("Synthèse", "factures_recues"),
        Onglet("Rechercher", "rechercher_factures_recues"),
        Onglet("Tableau de bord", "tableau_de_bord_factures_recues"),
        Onglet("Informations du fournisseur", "informations_fournisseur_recues"),
        Onglet("Liste fiscale", "liste_fiscale_recues"),
        Onglet("Archives", "archives_recues"),
    ],
)


# « Mes messages »: the notifications of the invoices (``facturation.services.circuit`` and ``brouillons``).
for type_message in [
    TypeMessage("FACTURE_STATUT", "Changement de statut d'une facture émise", "Factures émises", ordre=10),
    TypeMessage("FACTURE_BROUILLON", "Brouillon de facture non envoyé depuis 3 jours", "Factures émises", ordre=11),
    TypeMessage("FACTURE_RECUE", "Nouvelle facture mise à disposition", "Factures reçues", ordre=20),
    TypeMessage("FACTURE_A_VALIDER", "Facture à valider ou validée tacitement", "Factures à valider", ordre=30),
]:
    register_type_message(type_message)

# « Raccordements » (registered by ``organisation``): the flux are the invoices' business.
register_onglet_supplementaire("RACCORDEMENTS", Onglet("Suivi des flux", "raccordements_flux"))
