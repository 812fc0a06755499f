"""« Factures de travaux », one piece and its dossier: « Suivi de traitement » (the piece, its actors, references,
amounts, files and full dated history), the actions of the actor it waits for or of its depositor (``agir``, one
service call each, only those ``services.actions_possibles`` offers), the downloads, and « Consultation d'un dossier
de facturation » (every piece with its statuses, the routing rule, the payment clock).

Every view reaches the piece through ``PieceTravaux.objects.visibles_par`` (the dossier through
``DossierFacturation.objects.visibles_par``): an actor outside the dossier gets the same 404 as a missing piece."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from chorus.pages import fil_depuis, trouve_ou_404
from chorus.workflow import SYSTEME
from facturation import queries as facturation_queries
from facturation.enums import Cadre
from organisation.enums import Niveau
from organisation.models import Structure
from travaux import queries, services, statuts
from travaux.forms.actions import FORMULAIRES_ACTIONS
from travaux.models import DossierFacturation, PieceTravaux
from travaux.statuts import Role

ACCUEIL = ("Factures de travaux", "travaux_synthese")

# The POST actions of the piece page: URL slug → (name in ``services.actions_possibles``, button label).
ACTIONS = {
    "prendre-en-compte": ("prendre_en_compte", "Prendre en compte"),
    "valider": ("valider", "Valider"),
    "refuser": ("refuser", "Refuser"),
    "suspendre": ("suspendre", "Suspendre"),
    "completer": ("completer", "Compléter"),
    "corriger-acheminement": ("corriger", "Corriger l'acheminement"),
    "affecter-instructeur": ("affecter_instructeur", "Affecter un instructeur"),
    "supprimer": ("supprimer", "Supprimer"),
}
SLUGS = {action: slug for slug, (action, _libelle) in ACTIONS.items()}
LIBELLES_ROLES = {**dict(Role.choices), "VALIDEUR": "Valideur", SYSTEME: "Chorus Pro"}


_fil = fil_depuis(ACCUEIL)


def _piece_ou_404(user, pk) -> PieceTravaux:
    piece = (
        queries.avec_etat_courant(PieceTravaux.objects.visibles_par(user))
        .select_related(
            *queries.ACTEURS_DU_DOSSIER,
            "deposant",
            "service_deposant",
            "pour_le_compte_de",
            "recevant",
            "facture",
            "piece_precedente",
        )
        .filter(pk=pk)
        .first()
    )
    return trouve_ou_404(piece, "Pièce introuvable.")


def _actions(user, piece: PieceTravaux) -> list[str]:
    """What this user may do on the piece: the chain's actions (``services.actions_possibles``, modification
    profile only) and, for the actor the piece waits for, « Affecter un instructeur »."""
    actions = services.actions_possibles(user, piece)
    if actions and "recevant" in services.roles_sur_piece(user, piece):
        actions.append("affecter_instructeur")
    return actions


def _lignes_historique(piece: PieceTravaux, entrees, utilisateurs) -> list[dict]:
    """Each dated status of the piece (then of its invoice), who acted and in which role — the depositor's rows name
    its structure and, when it played another actor's role, « pour le compte de » that actor — with motif and
    comment. (The other actors' rows name no structure: a corrected routing changes the dossier's actor, not who
    acted then.)"""
    lignes = []
    for h in entrees:
        user = utilisateurs.get(h.acting_user_id)
        du_deposant = user is not None and h.role == piece.role_deposant
        pour = piece.pour_le_compte_de if du_deposant else None
        lignes.append(
            {
                "date": h.created_at,
                "statut": statuts.libelle(h.statut),
                "acteur": user.get_full_name() if user is not None else "Chorus Pro",
                "role": LIBELLES_ROLES.get(h.role, "") if user is not None else "",
                "structure": piece.deposant.raison_sociale if du_deposant else "",
                "pour_le_compte_de": pour.raison_sociale if pour is not None else "",
                "motif": h.motif,
                "commentaire": h.commentaire,
                "code": h.statut,
            }
        )
    return lignes


def _utilisateurs(*entrees) -> dict:
    ids = {h.acting_user_id for liste in entrees for h in liste if h.acting_user_id}
    return get_user_model().objects.in_bulk(list(ids)) if ids else {}


def _historique_complet(piece: PieceTravaux) -> list:
    """The piece's history and, once payable, its invoice's (the service financier's processing), newest first."""
    entrees = list(piece.historique.order_by("-created_at", "-id"))
    if piece.facture_id:
        entrees += queries.historique_facture_apres_envoi(piece.facture.historique.order_by("created_at", "id"))
    return sorted(entrees, key=lambda h: (h.created_at, h.pk), reverse=True)


def _detail_tva(piece: PieceTravaux) -> list[dict]:
    return [
        {"taux": ligne.get("taux"), "base_ht": ligne.get("base_ht"), "montant_tva": ligne.get("montant_tva")}
        for ligne in piece.detail_tva or []
        if isinstance(ligne, dict)
    ]


@login_required
@require_safe
def suivi(request, pk):
    """« Suivi de traitement »: the piece as the seeds show it (cadre, actors, references, VAT, amounts, attachments),
    its full dated history, and the buttons of what the user may do now."""
    return _page_suivi(request, _piece_ou_404(request.user, pk))


def _formulaires(piece: PieceTravaux, actions: list[str], erreur: dict | None) -> list[tuple[str, str, object]]:
    """(action, URL slug, form) of each offered action that asks for something, in the order of the page's blocks;
    the refused one pre-filled with what was typed (unbound: its message is the action's, shown once above its
    fields)."""
    motifs = services.motifs_refus(piece) if "refuser" in actions else {}
    formulaires = []
    for action, formulaire in FORMULAIRES_ACTIONS.items():
        if action in actions:
            saisie = {"initial": erreur["saisie"]} if erreur and erreur["action"] == action else {}
            formulaires.append((action, SLUGS[action], formulaire(piece=piece, motifs=motifs, **saisie)))
    return formulaires


def _page_suivi(request, piece: PieceTravaux, *, erreur: dict | None = None):
    """The page; ``erreur`` (an action refused for its input: {"action", "message", "saisie": what was typed}) is
    shown above the piece and in the action's form, pre-filled, with the status 400."""
    actions = _actions(request.user, piece)
    historique = _historique_complet(piece)
    dossier = piece.dossier
    lignes = _lignes_historique(piece, historique, _utilisateurs(historique))
    # The motif of the current refusal or suspension, shown above the piece (the newest row made the status).
    dernier = lignes[0] if lignes and lignes[0]["code"] == piece.etat_courant and lignes[0]["motif"] else None
    facture_recue = None
    if piece.facture_id and facturation_queries.factures_recues(request.user).filter(pk=piece.facture_id).exists():
        facture_recue = reverse("facture_recue", args=[piece.facture_id])
    return render(
        request,
        "travaux/suivi.html",
        {
            "piece": piece,
            "dossier": dossier,
            "cadre": Cadre(piece.cadre).label,
            "etat_courant": statuts.libelle(piece.etat_courant),
            "badge": statuts.badge(piece.etat_courant),
            "role_deposant": Role(piece.role_deposant).label,
            "role_recevant": Role(piece.role_recevant).label if piece.role_recevant else "",
            "format_depot": services.LIBELLES_FORMAT.get(piece.format_depot, piece.format_depot),
            "signataires": [s.get("signataire") for s in piece.signatures or [] if s.get("signataire")],
            "detail_tva": _detail_tva(piece),
            "pieces_jointes": list(piece.pieces_jointes.all()),
            "historique": lignes,
            "motif_courant": dernier,
            "facture_recue": facture_recue,
            "actions": actions,
            "formulaires": _formulaires(piece, actions, erreur),
            "peut_deposer": queries.peut_deposer(request.user),
            "titre": f"Pièce n° {piece.numero}",
            "breadcrumb_data": _fil(f"Pièce n° {piece.numero}"),
            "erreur": erreur,
        },
        status=400 if erreur else 200,
    )


def _refus(request, piece, message):
    messages.error(request, message)
    return redirect("travaux_piece", pk=piece.pk)


def _executer(request, piece: PieceTravaux, action: str, saisie: dict) -> str:
    """One service call with what the action's form read (``saisie``); returns the success message."""
    user = request.user
    if action == "prendre_en_compte":
        services.prendre_en_compte(acting_user=user, piece=piece)
    elif action == "valider":
        services.valider(acting_user=user, piece=piece, commentaire=request.POST.get("commentaire", "").strip())
    elif action == "refuser":
        services.refuser(acting_user=user, piece=piece, motif=saisie["motif"], commentaire=saisie["commentaire"])
    elif action == "suspendre":
        services.suspendre(acting_user=user, piece=piece, commentaire=saisie["commentaire"])
    elif action == "completer":
        services.completer(
            acting_user=user, piece=piece, commentaire=saisie["commentaire"], pieces_jointes=saisie["pieces_jointes"]
        )
    elif action == "corriger":
        services.corriger_acheminement(acting_user=user, piece=piece, structure=saisie["structure"])
    elif action == "affecter_instructeur":
        services.affecter_instructeur(acting_user=user, piece=piece, instructeur=saisie["instructeur"])
        return f"Instructeur de la pièce n° {piece.numero} : {piece.instructeur or 'aucun'}."
    elif action == "supprimer":
        services.supprimer_brouillon(acting_user=user, piece=piece)
        return f"Le brouillon n° {piece.numero} est supprimé."
    piece.refresh_from_db(fields=["statut"])
    return f"La pièce n° {piece.numero} est au statut « {statuts.libelle(piece.statut)} »."


def _saisie(request, piece: PieceTravaux, action: str) -> dict:
    """What the action's form read from the request; a ValidationError (French) when it cannot be read."""
    if action not in FORMULAIRES_ACTIONS:
        return {}
    form = FORMULAIRES_ACTIONS[action](request.POST, request.FILES, piece=piece, motifs={})
    if not form.is_valid():
        raise ValidationError([message for erreurs in form.errors.values() for message in erreurs])
    saisie = dict(form.cleaned_data)
    if action == "completer":
        saisie["pieces_jointes"] = form.pieces_jointes()
    return saisie


@login_required
@require_POST
def agir(request, pk, action):
    """One action of the piece page. Only what ``services.actions_possibles`` offers this user is accepted; anything
    else (another actor, a consultation profile, a status that moved on) answers a French message and changes
    nothing."""
    piece = _piece_ou_404(request.user, pk)
    if action not in ACTIONS:
        return _refus(request, piece, "Cette action n'existe pas pour une pièce de facturation de travaux.")
    code, libelle = ACTIONS[action]
    if code not in _actions(request.user, piece):
        if not services.roles_sur_piece(request.user, piece) and services.roles_sur_piece(
            request.user, piece, Niveau.CONSULTATION
        ):
            return _refus(
                request,
                piece,
                "Votre profil « Factures de travaux » est en consultation : il ne permet pas d'agir sur les pièces.",
            )
        return _refus(
            request,
            piece,
            f"L'action « {libelle} » n'est pas possible pour votre structure sur la pièce n° {piece.numero} "
            f"(statut « {statuts.libelle(piece.etat_courant)} »).",
        )
    try:
        message = _executer(request, piece, code, _saisie(request, piece, code))
    except ValidationError as exc:
        # Nothing changed (one transaction per service): the page again, with the message and what was typed.
        saisie = {champ: request.POST.get(champ, "") for champ in ("motif", "commentaire", "siret", "instructeur")}
        erreur = {"action": code, "libelle": libelle, "message": " ".join(exc.messages), "saisie": saisie}
        return _page_suivi(request, _piece_ou_404(request.user, pk), erreur=erreur)
    except PermissionDenied as exc:
        return _refus(request, piece, str(exc) or "Vous ne pouvez pas faire cette action.")
    messages.success(request, message)
    return redirect("travaux_piece", pk=piece.pk)


def _document(fichier, *, nom: str, content_type: str, inline: bool = False) -> FileResponse:
    if not fichier:
        raise Http404("Aucun document n'est associé à cette pièce.")
    try:
        flux = fichier.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Le document n'est plus disponible.") from exc
    reponse = FileResponse(flux, content_type=content_type, as_attachment=not inline, filename=nom)
    reponse["Cache-Control"] = "no-store"
    return reponse


@login_required
@require_safe
def telecharger(request, pk):
    """« Télécharger »: the deposited PDF; for the actor the piece was sent to, it becomes « téléchargée »."""
    piece = _piece_ou_404(request.user, pk)
    reponse = _document(
        piece.fichier, nom=piece.nom_fichier or f"piece_{piece.numero}.pdf", content_type="application/pdf"
    )
    if request.method == "GET":  # a HEAD request downloads nothing
        services.marquer_telechargee(user=request.user, piece=piece)
    return reponse


@login_required
@require_safe
def visualiser(request, pk):
    """« Visualiser »: the deposited PDF shown in the browser."""
    piece = _piece_ou_404(request.user, pk)
    return _document(
        piece.fichier, nom=piece.nom_fichier or f"piece_{piece.numero}.pdf", content_type="application/pdf", inline=True
    )


@login_required
@require_safe
def telecharger_piece_jointe(request, pk, pj):
    piece = _piece_ou_404(request.user, pk)
    jointe = piece.pieces_jointes.filter(pk=pj).first()
    if jointe is None:
        raise Http404("Pièce jointe introuvable.")
    return _document(
        jointe.fichier, nom=jointe.nom_fichier, content_type=jointe.type_contenu or "application/octet-stream"
    )


@login_required
@require_safe
def dossier(request, pk):
    """« Consultation d'un dossier de facturation » (seed 001): every piece of the dossier with its full dated status
    history and the rule that routed it, and the payment clock (seed 000). A bounded number of queries."""
    dossier = (
        DossierFacturation.objects.visibles_par(request.user)
        .select_related("fournisseur", "validateur", "moe", "moa", "destinataire", "service_destinataire")
        .filter(pk=pk)
        .first()
    )
    trouve_ou_404(dossier, "Dossier de facturation introuvable.")
    pieces = queries.pieces_du_dossier(dossier, request.user)
    utilisateurs = _utilisateurs(*(p.historique_complet for p in pieces))
    deposants = Structure.objects.in_bulk(
        list({p.deposant_id for p in pieces} | {p.pour_le_compte_de_id for p in pieces if p.pour_le_compte_de_id})
    )
    lignes = []
    for p in pieces:
        p.dossier = dossier
        p.deposant = deposants[p.deposant_id]
        p.pour_le_compte_de = deposants.get(p.pour_le_compte_de_id)
        lignes.append(
            {
                "piece": p,
                "cadre": Cadre(p.cadre).label,
                "etat_courant": statuts.libelle(p.etat_courant),
                "badge": statuts.badge(p.etat_courant),
                "role_deposant": Role(p.role_deposant).label,
                "historique": _lignes_historique(p, p.historique_complet, utilisateurs),
            }
        )
    return render(
        request,
        "travaux/dossier.html",
        {
            "dossier": dossier,
            "pieces": lignes,
            "horloge": queries.horloge(dossier),
            "peut_deposer": queries.peut_deposer(request.user),
            "titre": f"Dossier de facturation n° {dossier.numero}",
            "breadcrumb_data": _fil(f"Dossier de facturation n° {dossier.numero}"),
        },
    )
