"""The status machine of an invoice (``CIRCUIT``, running the table of ``facturation.statuts``) with its
notifications, and who may act for a supplier."""

import contextvars
from collections import defaultdict
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from chorus.messagerie import notifier
from chorus.money import formater_montant
from chorus.workflow import Workflow
from facturation import statuts
from facturation.enums import DELAI_VALIDATION_TACITE, StatutFacture
from facturation.models import HistoriqueFacture
from facturation.statuts import DESTINATAIRE, VALIDEUR
from organisation import queries as org_queries
from organisation.enums import Application, Niveau

# Set while a flux's files are integrated: their status changes are notified once for the whole lot
# (``notifier_lot``), one message per user, not one per invoice and status.
_lot_en_cours = contextvars.ContextVar("facturation_lot_en_cours", default=False)


@contextmanager
def notifications_du_lot():
    jeton = _lot_en_cours.set(True)
    try:
        yield
    finally:
        _lot_en_cours.reset(jeton)


def _notifier(*, objet, entree):
    """Each status change is e-mailed to the supplier's users (those who see it: of its service, or of the whole
    structure); the recipient's users (likewise) learn of a new invoice; the
    valideur's users (« Factures à valider » profile) of an invoice to validate, and of a tacit validation."""
    if entree.statut in (StatutFacture.BROUILLON, StatutFacture.ABANDONNEE) or _lot_en_cours.get():
        return
    libelle = StatutFacture(entree.statut).label
    texte = f"La facture {objet.numero} est au statut « {libelle} »."
    if entree.motif:
        texte += f"\n\nMotif : {entree.motif}"
    if entree.commentaire and entree.role == VALIDEUR:
        texte += f"\n\nCommentaire du valideur : {entree.commentaire}"
    if entree.commentaire and entree.role == DESTINATAIRE:
        texte += f"\n\nCommentaire du destinataire : {entree.commentaire}"
    # « Raccordements » > « Mode d'émission et de réception »: a structure that emits (or receives) by EDI or API
    # follows its invoices through its connector; its users keep the message in « Mes messages », without e-mail.
    notifier(
        org_queries.utilisateurs_du_service(objet.fournisseur, objet.service_fournisseur, Application.FACTURES_EMISES),
        evenement="FACTURE_STATUT",
        sujet=f"Chorus Pro - Facture {objet.numero} : {libelle}",
        corps=texte,
        courriel=not objet.fournisseur.emetteur_edi,
    )
    if entree.statut == StatutFacture.MISE_A_DISPOSITION and objet.destinataire_id:
        notifier(
            org_queries.utilisateurs_du_service(
                objet.destinataire, objet.service_destinataire, Application.FACTURES_RECUES
            ),
            evenement="FACTURE_RECUE",
            sujet=f"Chorus Pro - Nouvelle facture {objet.numero}",
            corps=f"La facture {objet.numero} de {objet.fournisseur.raison_sociale} est mise à votre disposition.",
            courriel=not objet.destinataire.recepteur_edi,
        )
    if (
        entree.statut in (StatutFacture.A_VALIDER_1, StatutFacture.ABSENCE_VALIDATION_1_HORS_DELAI)
        and objet.valideur_id
    ):
        _notifier_valideur(objet=objet, entree=entree)


def _notifier_valideur(*, objet, entree):
    if entree.statut == StatutFacture.A_VALIDER_1:
        echeance = timezone.localtime(entree.created_at + DELAI_VALIDATION_TACITE)
        sujet = f"Chorus Pro - Facture {objet.numero} à valider"
        corps = (
            f"Bonjour,\n\nLa facture {objet.numero} de {objet.fournisseur.raison_sociale} "
            f"({objet.get_cadre_display()}), d'un montant TTC de "
            f"{formater_montant(objet.montant_ttc, objet.devise)}, attend la "
            f"validation de {objet.valideur.raison_sociale} dans l'application « Factures à valider ».\n\n"
            f"Sans décision de votre part avant le {echeance:%d/%m/%Y à %H:%M}, elle sera validée tacitement et "
            "transmise à son destinataire.\n\nCordialement,\nL'équipe Chorus Pro"
        )
    else:
        sujet = f"Chorus Pro - Facture {objet.numero} validée tacitement"
        corps = (
            f"Bonjour,\n\nLa facture {objet.numero} de {objet.fournisseur.raison_sociale} n'a pas été validée ni "
            f"refusée dans le délai de {DELAI_VALIDATION_TACITE.days} jours : elle est validée tacitement et "
            "transmise à son destinataire.\n\nCordialement,\nL'équipe Chorus Pro"
        )
    notifier(
        org_queries.utilisateurs_avec_profil(objet.valideur, Application.FACTURES_A_VALIDER),
        evenement="FACTURE_A_VALIDER",
        sujet=sujet,
        corps=corps,
    )


APERCU_NUMEROS = 20  # numbers listed in a lot's message; the flux's compte rendu and the lists give the rest


def _numeros(factures) -> str:
    numeros = [f.numero for f in factures]
    texte = ", ".join(numeros[:APERCU_NUMEROS])
    return texte + (f"… (et {len(numeros) - APERCU_NUMEROS} autres)" if len(numeros) > APERCU_NUMEROS else "")


def notifier_lot(factures, *, numero_flux: str) -> None:
    """The notifications of a flux's invoices, sent once the lot ends (in the transaction that sets the flux's final
    state, so exactly once): one message per user and per kind — the supplier's users learn the status each invoice
    reached, each recipient's users the invoices made available to them. (A document names no valideur, so a
    flux's invoice never waits for one: an A9 or A12 cadre is refused at sending.) ``factures``: the lot's invoices
    with their supplier and recipient."""
    factures = [f for f in factures if f.statut not in (StatutFacture.BROUILLON, StatutFacture.ABANDONNEE)]
    if not factures:
        return
    fournisseur = factures[0].fournisseur
    par_statut = defaultdict(list)
    for f in factures:
        par_statut[f.statut].append(f)
    lignes = "\n".join(
        f"- « {StatutFacture(statut).label} » : {len(liste)} facture(s) ({_numeros(liste)})"
        for statut, liste in par_statut.items()
    )
    notifier(
        org_queries.utilisateurs_avec_profil(fournisseur, Application.FACTURES_EMISES),
        evenement="FACTURE_STATUT",
        sujet=f"Chorus Pro - Flux {numero_flux} : {len(factures)} facture(s) intégrée(s)",
        corps=f"Les factures intégrées du flux {numero_flux} sont aux statuts suivants :\n{lignes}",
        courriel=not fournisseur.emetteur_edi,
    )
    _notifier_structures(
        [f for f in factures if f.statut == StatutFacture.MISE_A_DISPOSITION and f.destinataire_id],
        structure=lambda f: f.destinataire,
        application=Application.FACTURES_RECUES,
        evenement="FACTURE_RECUE",
        sujet=lambda liste: f"Chorus Pro - {len(liste)} nouvelle(s) facture(s) de {fournisseur.raison_sociale}",
        corps=lambda liste: (
            f"{len(liste)} facture(s) de {fournisseur.raison_sociale} sont mises à votre disposition : "
            f"{_numeros(liste)}."
        ),
        courriel=lambda structures: not all(s.recepteur_edi for s in structures),
    )


def _notifier_structures(factures, *, structure, application, evenement, sujet, corps, courriel) -> None:
    """One message per user for the invoices of every structure where the user holds the application's profile."""
    par_structure = defaultdict(list)
    for f in factures:
        par_structure[structure(f)].append(f)
    par_utilisateur: dict = {}
    for s, liste in par_structure.items():
        for user in org_queries.utilisateurs_avec_profil(s, application):
            _user, siennes, structures = par_utilisateur.setdefault(user.pk, (user, [], []))
            siennes.extend(liste)
            structures.append(s)
    for user, siennes, structures in par_utilisateur.values():
        notifier([user], evenement=evenement, sujet=sujet(siennes), corps=corps(siennes), courriel=courriel(structures))


CIRCUIT = Workflow(
    transitions=statuts.TRANSITIONS, historique=HistoriqueFacture, libelles=StatutFacture, notifications=[_notifier]
)


MESSAGE_SERVICE_FOURNISSEUR_OBLIGATOIRE = (
    "Vous êtes rattaché à un service de cette structure : choisissez votre service dans « Service du fournisseur », "
    "vous n'émettez des factures que pour lui."
)
MESSAGE_AUTRE_SERVICE_FOURNISSEUR = (
    "Vous n'êtes pas rattaché à ce service de la structure : vous n'émettez des factures que pour vos services."
)


def exiger_emission(user, structure, *, service=None):
    """The user issues for ``structure`` (« Factures émises » in modification there). Attached to the structure
    itself (as a technical account always is), they issue for all of it; attached only to some of its services,
    only for those: ``service`` (the invoice's supplier service) must be one of them — the same rule as the lists'
    perimeter (``organisation.queries.couvre``), so that a user never issues an invoice they could not see."""
    if (
        not org_queries.structures_de(user, Application.FACTURES_EMISES, Niveau.MODIFICATION)
        .filter(pk=structure.pk)
        .exists()
    ):
        raise PermissionDenied("Vous n'avez pas le profil « Factures émises » en modification sur cette structure.")
    if org_queries.couvre(user, Application.FACTURES_EMISES, Niveau.MODIFICATION, structure=structure, service=service):
        return
    if service is None:
        raise PermissionDenied(MESSAGE_SERVICE_FOURNISSEUR_OBLIGATOIRE)
    raise PermissionDenied(MESSAGE_AUTRE_SERVICE_FOURNISSEUR)
