"""« Raccordements »: a structure's technical accounts (the ``cpro-account`` header of the API) and API clients
(OAuth ``client_id`` / secret), created, renewed and revoked by its gestionnaire or a user holding « Raccordements »
in modification; and the warning sent 15 days before a technical account's password expires (beat).

Each secret is returned once to the caller, which shows it once: only its hash is stored."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from chorus.api import services as api_services
from chorus.api.models import ClientOAuth
from chorus.messagerie import notifier
from organisation import queries
from organisation.api import comptes
from organisation.enums import StatutRaccordement
from organisation.models import (
    ClientApiStructure,
    CompteTechnique,
    HistoriqueClientApi,
    HistoriqueCompteTechnique,
    Utilisateur,
)
from organisation.services.modifications import demander_modification

# A renewed password: the previous one is still accepted this long, while the connectors are updated.
PERIODE_RECOUVREMENT = timedelta(days=7)
# The structure is warned this long before a password expires.
PREAVIS_EXPIRATION = timedelta(days=15)
TYPE_MESSAGE_EXPIRATION = "RACCORDEMENTS_EXPIRATION"


def _exiger_raccordements(user, structure) -> None:
    if not queries.structures_raccordees_par(user).filter(pk=structure.pk).exists():
        raise PermissionDenied(
            "Vous ne gérez pas les raccordements de cette structure (gestionnaire principal ou profil "
            "« Raccordements » en modification)."
        )


def _login_libre(structure) -> str:
    """``TECH_<n>_<identifiant>@cpro.fr``, ``n`` the structure's next number."""
    n = CompteTechnique.objects.filter(structure=structure).count() + 1
    while True:
        login = f"TECH_{n}_{structure.identifiant}@cpro.fr".lower()
        if (
            not CompteTechnique.objects.filter(login=login).exists()
            and not Utilisateur.objects.filter(email=login).exists()
        ):
            return login
        n += 1


def creer_compte_technique(*, structure, acting_user) -> tuple[CompteTechnique, str]:
    """A new technical account of ``structure``: (account, password to show once)."""
    _exiger_raccordements(acting_user, structure)
    if not structure.est_active:
        raise ValidationError("Cette structure n'est pas active : elle ne peut pas avoir de compte technique.")
    try:
        with transaction.atomic():
            return comptes.creer_compte_technique(
                structure=structure, login=_login_libre(structure), acting_user=acting_user
            )
    except IntegrityError:  # the same login taken at the same instant by another request
        raise ValidationError("Ce compte technique vient d'être créé par ailleurs : réessayez.") from None


def _historique(modele, objet, acting_user, statut: str, *, motif: str = "") -> None:
    """One row of the object's append-only history (the caller holds the object's row lock)."""
    precedent = modele.objects.filter(objet=objet).order_by("-created_at", "-id").values_list("statut", flat=True)
    modele.ajouter(
        objet=objet,
        acting_user=acting_user,
        role=comptes.ROLE_RACCORDEMENTS,
        statut_precedent=precedent.first() or "",
        statut=statut,
        motif=motif,
    )


def _verrouiller(compte: CompteTechnique) -> CompteTechnique:
    return CompteTechnique.objects.select_for_update(of=("self",)).select_related("structure").get(pk=compte.pk)


def renouveler_compte_technique(*, compte, acting_user) -> tuple[CompteTechnique, str]:
    """A new password valid ``comptes.DUREE_MOT_DE_PASSE``; the previous one is still accepted during
    ``PERIODE_RECOUVREMENT`` (unless it had already expired). Returns (account, new password to show once)."""
    _exiger_raccordements(acting_user, compte.structure)
    mot_de_passe = api_services.nouveau_secret(24)
    maintenant = timezone.now()
    with transaction.atomic():
        compte = _verrouiller(compte)
        if not compte.actif:
            raise ValidationError("Ce compte technique est révoqué : il ne peut pas être renouvelé.")
        if compte.expiration_mot_de_passe > maintenant:
            compte.ancien_mot_de_passe_hache = compte.mot_de_passe_hache
            compte.ancien_mot_de_passe_valide_jusqu_au = min(
                maintenant + PERIODE_RECOUVREMENT, compte.expiration_mot_de_passe
            )
        else:
            compte.ancien_mot_de_passe_hache, compte.ancien_mot_de_passe_valide_jusqu_au = "", None
        compte.mot_de_passe_hache = make_password(mot_de_passe)
        compte.expiration_mot_de_passe = maintenant + comptes.DUREE_MOT_DE_PASSE
        compte.expiration_prevenue_le = None
        compte.save(
            update_fields=[
                "ancien_mot_de_passe_hache",
                "ancien_mot_de_passe_valide_jusqu_au",
                "mot_de_passe_hache",
                "expiration_mot_de_passe",
                "expiration_prevenue_le",
            ]
        )
        jusqu_au = compte.ancien_mot_de_passe_valide_jusqu_au
        _historique(
            HistoriqueCompteTechnique,
            compte,
            acting_user,
            StatutRaccordement.RENOUVELE,
            motif=(
                "Mot de passe renouvelé ; l'ancien est accepté jusqu'au "
                f"{timezone.localtime(jusqu_au):%d/%m/%Y à %H:%M}."
                if jusqu_au
                else "Mot de passe renouvelé après son expiration."
            ),
        )
    return compte, mot_de_passe


def revoquer_compte_technique(*, compte, acting_user) -> CompteTechnique:
    """The account stops at once (its passwords, current and previous, are refused by the API)."""
    _exiger_raccordements(acting_user, compte.structure)
    with transaction.atomic():
        compte = _verrouiller(compte)
        if not compte.actif:
            raise ValidationError("Ce compte technique est déjà révoqué.")
        compte.actif = False
        compte.revoque_le = timezone.now()
        compte.ancien_mot_de_passe_valide_jusqu_au = None
        compte.save(update_fields=["actif", "revoque_le", "ancien_mot_de_passe_valide_jusqu_au"])
        _historique(HistoriqueCompteTechnique, compte, acting_user, StatutRaccordement.REVOQUE)
    return compte


# --- API clients --------------------------------------------------------------------------------------------------


def _client_id_libre(structure) -> str:
    n = ClientApiStructure.objects.filter(structure=structure).count() + 1
    while True:
        client_id = f"{structure.identifiant}-client-{n}"
        if not ClientOAuth.objects.filter(client_id=client_id).exists():
            return client_id
        n += 1


def lier_client_api(*, client, structure, acting_user) -> ClientApiStructure:
    """``client`` (an OAuth client of the API kit) becomes ``structure``'s, listed in its « Clients API », with the
    first row of its history."""
    lien = ClientApiStructure.objects.create(client=client, structure=structure, cree_par=acting_user)
    HistoriqueClientApi.ajouter_creation(
        objet=lien,
        acting_user=acting_user,
        role=comptes.ROLE_RACCORDEMENTS,
        statut=StatutRaccordement.ACTIF,
    )
    return lien


def creer_client_api(*, structure, acting_user, libelle: str = "") -> tuple[ClientApiStructure, str]:
    """A new OAuth client of ``structure``: (its link to the structure, secret to show once)."""
    _exiger_raccordements(acting_user, structure)
    try:
        with transaction.atomic():
            client, secret = api_services.creer_client(
                client_id=_client_id_libre(structure), libelle=libelle.strip()[:200]
            )
            lien = lier_client_api(client=client, structure=structure, acting_user=acting_user)
    except IntegrityError:
        raise ValidationError("Ce client API vient d'être créé par ailleurs : réessayez.") from None
    return lien, secret


def _verrouiller_client(lien: ClientApiStructure) -> ClientApiStructure:
    return (
        ClientApiStructure.objects.select_for_update(of=("self", "client"))
        .select_related("client", "structure")
        .get(pk=lien.pk)
    )


def renouveler_secret_client(*, lien, acting_user) -> tuple[ClientApiStructure, str]:
    """Rotation: a new secret replaces the previous one for every new token; the tokens already issued stay valid
    until they expire (an hour at most), so that a connector is switched without interruption."""
    _exiger_raccordements(acting_user, lien.structure)
    secret = api_services.nouveau_secret()
    with transaction.atomic():
        lien = _verrouiller_client(lien)
        if not lien.client.actif:
            raise ValidationError("Ce client API est révoqué : son secret ne peut pas être renouvelé.")
        lien.client.secret_hache = make_password(secret)
        lien.client.save(update_fields=["secret_hache"])
        lien.secret_renouvele_le = timezone.now()
        lien.save(update_fields=["secret_renouvele_le"])
        _historique(HistoriqueClientApi, lien, acting_user, StatutRaccordement.RENOUVELE)
    return lien, secret


def revoquer_client_api(*, lien, acting_user) -> ClientApiStructure:
    """The client gets no more tokens and its tokens are refused at once (``jeton_valide`` reads ``actif``)."""
    _exiger_raccordements(acting_user, lien.structure)
    with transaction.atomic():
        lien = _verrouiller_client(lien)
        if not lien.client.actif:
            raise ValidationError("Ce client API est déjà révoqué.")
        lien.client.actif = False
        lien.client.save(update_fields=["actif"])
        lien.revoque_le = timezone.now()
        lien.save(update_fields=["revoque_le"])
        _historique(HistoriqueClientApi, lien, acting_user, StatutRaccordement.REVOQUE)
    return lien


# --- Mode of emission and reception ----------------------------------------------------------------------------


def modifier_mode_echange(
    *,
    structure,
    acting_user,
    emetteur_edi: bool,
    recepteur_edi: bool,
    mise_en_paiement_non_remontee: bool | None = None,
):
    """« Mode d'émission et de réception »: whether the structure emits, and receives, its invoices by EDI or API
    rather than on the portal (published in the annuaire and ``structures/v1/consulter``; such a structure is not
    e-mailed about its invoices: ``facturation.services.circuit``) and, for a public structure, whether it reports
    the « Mise en paiement » status (when it does not, its agents are not offered that action and its suppliers never
    see the status: ``facturation.services.destinataire``). A change of the structure, so it takes effect after the
    30-minute rule like every other (a ``ModificationDifferee``)."""
    _exiger_raccordements(acting_user, structure)
    valeurs = [("emetteur_edi", emetteur_edi), ("recepteur_edi", recepteur_edi)]
    if mise_en_paiement_non_remontee is not None:
        if not structure.est_publique:
            raise ValidationError("Seule une structure publique remonte le statut « Mise en paiement ».")
        valeurs.append(("mise_en_paiement_non_remontee", mise_en_paiement_non_remontee))
    changements = {champ: valeur for champ, valeur in valeurs if getattr(structure, champ) != valeur}
    if not changements:
        raise ValidationError("Aucune modification : la structure échange déjà ainsi.")
    return demander_modification(
        objet=structure,
        changements=changements,
        demandeur=acting_user,
        description=f"Mode d'émission et de réception de {structure.raison_sociale}",
    )


# --- Expiry warning (beat) ----------------------------------------------------------------------------------------


def prevenir_expirations(*, limite: int = 500) -> int:
    """Warn each structure whose active technical account's password expires within ``PREAVIS_EXPIRATION`` and was
    not warned yet for this password: a message (and its e-mail, through the outbox) to its gestionnaire principal
    and to its users holding « Raccordements » in modification. Idempotent (``expiration_prevenue_le``, rows locked
    with ``skip_locked``): a lost run only delays the warning until the next one."""
    maintenant = timezone.now()
    nombre = 0
    ids = list(
        CompteTechnique.objects.filter(
            actif=True,
            expiration_prevenue_le__isnull=True,
            expiration_mot_de_passe__gt=maintenant,
            expiration_mot_de_passe__lte=maintenant + PREAVIS_EXPIRATION,
        )
        .order_by("expiration_mot_de_passe", "pk")
        .values_list("pk", flat=True)[:limite]
    )
    for pk in ids:
        with transaction.atomic():
            compte = (
                CompteTechnique.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("structure__gestionnaire_principal")
                .filter(pk=pk, expiration_prevenue_le__isnull=True, actif=True)
                .first()
            )
            if compte is None:
                continue
            structure = compte.structure
            destinataires = list(queries.utilisateurs_raccordements(structure))
            if structure.gestionnaire_principal is not None:
                destinataires.append(structure.gestionnaire_principal)
            date = timezone.localtime(compte.expiration_mot_de_passe).strftime("%d/%m/%Y")
            notifier(
                destinataires,
                evenement=TYPE_MESSAGE_EXPIRATION,
                sujet=f"Chorus Pro - Le mot de passe du compte technique {compte.login} expire le {date}",
                corps=(
                    f"Le mot de passe du compte technique {compte.login} de la structure {structure.raison_sociale} "
                    f"expire le {date}. Après cette date, les appels à l'API faits avec ce compte seront refusés.\n\n"
                    "Renouvelez-le dans « Raccordements » > « Comptes techniques » "
                    f"({reverse('raccordements_comptes')}) : le nouveau mot de passe est affiché une seule fois, "
                    "et l'ancien reste accepté pendant 7 jours, le temps de mettre à jour vos connecteurs."
                ),
            )
            compte.expiration_prevenue_le = maintenant
            compte.save(update_fields=["expiration_prevenue_le"])
            nombre += 1
    return nombre
