"""Invoices for tests, made the way the portal makes them.

``FactureFactory`` never writes an amount, a line or a VAT recap of its own: the draft is saved by
``facturation.services.enregistrer`` (amounts from ``facturation.montants.calculer``), a sent invoice goes through
the one deposit pipeline (``envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, ...)``), and a later status is
reached through the status machine's own table (``services.CIRCUIT``)::

    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)               # a draft
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)   # « Mise à disposition »
    FactureFactory(fournisseur_gp=..., destinataire=etat, a_valider=True, valideur=titulaire)  # A9, « À valider »
    FactureFactory(fournisseur_gp=..., destinataire=etat, statut=StatutFacture.SERVICE_FAIT)
    FactureFactory(fournisseur_gp=..., destinataire=etat, document=PDF)  # sent with PDF as its deposited file

Without ``fournisseur_gp`` a new supplier ready to invoice is made (``fournisseur_pret``); without ``destinataire``
a new public structure.
"""

from collections import deque
from datetime import date, timedelta

import factory

from facturation import services
from facturation.enums import Cadre, StatutFacture, TypeFacture
from facturation.models import Facture
from facturation.services import envoi
from organisation import demo
from organisation import services as org_services
from organisation.enums import TypeStructure
from tests.factories import StructureFactory, UtilisateurFactory, siret_aleatoire

S = StatutFacture
MOTIF = "Motif du test"
NON_ENVOYEES = (S.BROUILLON, S.ABANDONNEE)


def fournisseur_pret(*, raison_sociale="Bâtiments Martin SAS", **utilisateur) -> tuple:
    """A supplier structure ready to invoice and its GP: active bank details and a billing mandate in force.
    ``utilisateur``: fields of the GP (email, prenom, nom…)."""
    gp = UtilisateurFactory(**utilisateur)
    structure = org_services.creer_structure_par_utilisateur(
        acting_user=gp,
        siret=siret_aleatoire(),
        raison_sociale=raison_sociale,
        type_structure=TypeStructure.PRIVEE,
        adresse="12 rue des Artisans",
        code_postal="69007",
        ville="Lyon",
    )
    demo.pret_a_facturer(gp, structure)
    return gp, structure


def ligne(denomination="Prestation", *, quantite=1, prix_unitaire_ht="100", taux_tva="20", **extra) -> dict:
    """One line as the saisie types it (its amounts are ``montants.calculer``'s)."""
    return {
        "denomination": denomination,
        "quantite": quantite,
        "prix_unitaire_ht": prix_unitaire_ht,
        "taux_tva": taux_tva,
        **extra,
    }


def piece(type_piece="BON_DE_LIVRAISON", designation="Bon de livraison", nom="piece.pdf", contenu=None) -> dict:
    """An attachment for ``FactureFactory(pieces=[...])`` (``services.ajouter_piece_jointe``)."""
    return {
        "type_piece": type_piece,
        "designation": designation,
        "nom": nom,
        "contenu": contenu if contenu is not None else b"%PDF-1.4 " + designation.encode(),
    }


def _chemin(depart: str, cible: str) -> list:
    """The shortest run of transitions of the status machine's table from ``depart`` to ``cible``."""
    precedents = {depart: None}
    file = deque([depart])
    while file:
        statut = file.popleft()
        if statut == cible:
            chemin = []
            while precedents[statut] is not None:
                transition = precedents[statut]
                chemin.append(transition)
                statut = transition.source
            return chemin[::-1]
        for (source, suivant), transition in services.CIRCUIT.table.items():
            if source == statut and suivant not in precedents:
                precedents[suivant] = transition
                file.append(suivant)
    raise ValueError(f"Aucun chemin de {depart} à {cible} dans le circuit des factures.")


def amener(facture: Facture, statut: str, *, fournisseur=None) -> Facture:
    """Walk ``facture`` to ``statut`` along the status machine's table (a motif where one is required)."""
    for transition in _chemin(facture.statut, statut):
        role = sorted(transition.roles)[0]
        services.CIRCUIT.transition(
            facture,
            to=transition.cible,
            role=role,
            acting_user=fournisseur if role == services.FOURNISSEUR else None,
            motif=MOTIF if transition.motif_obligatoire else "",
        )
    return facture


def recycler(facture: Facture, destinataire, code_service: str | None = None, numero_engagement: str = "") -> Facture:
    """« Recycler » by the supplier's GP: ``facture`` sent again to ``destinataire``, to its service ``code_service``
    if given (``services.recycler``)."""
    return services.recycler(
        acting_user=facture.fournisseur.gestionnaire_principal,
        facture=facture,
        destinataire=destinataire,
        service_destinataire=destinataire.services.get(code=code_service) if code_service else None,
        numero_engagement=numero_engagement,
    )


class FactureFactory(factory.Factory):
    """An invoice of ``fournisseur_gp`` = (GP, structure) to ``destinataire`` (its service ``service`` if it has
    one). ``lignes``: the typed lines; ``pieces``: attachments added to the draft; ``envoyer``: sent through the
    deposit pipeline; ``document``: sent with these bytes as its deposited PDF (« Valider et envoyer »,
    ``services.valider_et_envoyer``); ``statut``: the status to reach (sent first unless it is a draft's)."""

    class Meta:
        model = Facture

    class Params:
        service = "DRFIP_IDF"
        # Sent and in the recipient's hands (an A9/A12 invoice is validated on the way).
        recue = factory.Trait(statut=S.MISE_A_DISPOSITION)
        # An A9 invoice sent, waiting for its valideur (a new private structure unless ``valideur`` is given).
        a_valider = factory.Trait(
            statut=S.A_VALIDER_1,
            cadre=Cadre.A9,
            valideur=factory.SubFactory(StructureFactory, raison_sociale="Titulaire SA"),
        )

    fournisseur_gp = factory.LazyFunction(fournisseur_pret)
    destinataire = factory.SubFactory(StructureFactory, publique=True)
    service_destinataire = factory.LazyAttribute(
        lambda o: o.destinataire.services.filter(code=o.service).first() if o.service and o.destinataire else None
    )
    coordonnees_bancaires = factory.LazyAttribute(
        lambda o: o.fournisseur_gp[1].coordonnees_bancaires.filter(active=True).first()
    )
    numero = factory.Sequence(lambda n: f"F-{n:05d}")
    date_facture = factory.LazyFunction(lambda: date.today() - timedelta(days=1))
    cadre = Cadre.A1
    valideur = None
    type_facture = TypeFacture.FACTURE
    numero_facture_origine = factory.LazyAttribute(lambda o: "F-0" if o.type_facture == TypeFacture.AVOIR else "")
    numero_engagement = "EJ-1"
    numero_marche = "M-2026-7"
    commentaire = ""
    lignes = factory.LazyFunction(lambda: [ligne()])
    pieces = ()
    envoyer = False
    document = None
    statut = None

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("FactureFactory saves through the services, an unsaved build() is refused: use create().")

    @classmethod
    def _create(cls, model_class, *, fournisseur_gp, lignes, pieces, envoyer, document, statut, **donnees):
        gp, structure = fournisseur_gp
        facture = services.enregistrer(acting_user=gp, donnees={**donnees, "fournisseur": structure}, lignes=lignes)
        for jointe in pieces:
            services.ajouter_piece_jointe(acting_user=gp, facture=facture, **jointe)
        if document is not None:
            services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=document, nom_fichier="facture.pdf")
            facture.refresh_from_db()
        elif envoyer or (statut is not None and statut not in NON_ENVOYEES):
            facture = envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, acting_user=gp, facture=facture)
        if statut is not None and statut != facture.statut:
            amener(facture, statut, fournisseur=gp)
        return facture
