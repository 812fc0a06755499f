"""« Sollicitations émises »: Synthèse, Rechercher (with « Exporter »), « Saisir une sollicitation » and the
sollicitation's page with the sender's actions. Every page reaches the sollicitations through
``Sollicitation.objects.emises_par``; every change goes through ``services``. The helpers shared with
« Sollicitations reçues » (``views/recues.py``) are here too."""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from chorus import exports
from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.fichiers import telechargement
from chorus.identifiers import normaliser
from chorus.navigation import fil_ariane
from chorus.pages import fil_depuis, trouve_ou_404
from chorus.pagination import page_par_id
from chorus.workflow import TransitionInterdite
from sollicitations import forms, queries, services, statuts
from sollicitations.enums import LIBELLES_ROLES, STATUTS_ATTENTE_EMETTEUR
from sollicitations.models import Sollicitation

ACCUEIL = ("Sollicitations émises", "sollicitations_emises")


# --- Shared with « Sollicitations reçues » ---------------------------------------------------------------------


def libelle_statut(statut: str, *, pour_emetteur: bool) -> str:
    return statuts.libelle(statut, pour_emetteur=pour_emetteur)


def _date(valeur, format_date="%d/%m/%Y") -> str:
    return timezone.localtime(valeur).strftime(format_date) if valeur else ""


def destinataire_de(*, au_support: bool, raison_sociale, service_code) -> str:
    if au_support:
        return "Support Chorus Pro"
    return f"{raison_sociale} / {service_code}" if service_code else (raison_sociale or "")


def lignes(valeurs, *, url_name: str, pour_emetteur: bool) -> list[dict]:
    """The rows of the list tables; dates stay raw, for ``chorus_format``'s filters. The names of the page's
    structures, services, catégories and assignees in one query per model (``queries.noms_des_lignes``)."""
    valeurs = list(valeurs)
    noms = queries.noms_des_lignes(valeurs)
    structures, par_service, utilisateurs = noms["structures"], noms["services"], noms["utilisateurs"]
    detail = reverse(url_name, args=[0])
    resultat = []
    for v in valeurs:
        emettrice = structures.get(v["structure_emettrice_id"], {})
        destinataire = structures.get(v["structure_destinataire_id"], {})
        assignee = utilisateurs.get(v["assignee_a_id"])
        resultat.append(
            {
                "pk": v["pk"],
                "url": detail.replace("/0/", f"/{v['pk']}/", 1),
                "numero": v["numero"],
                "date_depot": v["date_depot"],
                "objet": v["objet"],
                "structure": f"{emettrice.get('identifiant')} - {emettrice.get('raison_sociale')}",
                "service": par_service.get(v["service_emetteur_id"], {}).get("code", ""),
                "destinataire": destinataire_de(
                    au_support=v["au_support"],
                    raison_sociale=destinataire.get("raison_sociale"),
                    service_code=par_service.get(v["service_destinataire_id"], {}).get("code"),
                ),
                "categorie": noms["sous_categories"][v["sous_categorie_id"]]["categorie__libelle"],
                "sous_categorie": noms["sous_categories"][v["sous_categorie_id"]]["libelle"],
                "assignee": f"{assignee['prenom']} {assignee['nom']}" if assignee and assignee["nom"] else "",
                "etat": libelle_statut(v["statut"], pour_emetteur=pour_emetteur),
                "badge": statuts.badge(v["statut"], pour_emetteur=pour_emetteur),
            }
        )
    return resultat


def historique(sollicitation, *, pour_emetteur: bool) -> list[dict]:
    """« Historique de sollicitation »: Date, Utilisateur, Action statut, Message statut, Commentaire (seed 001)."""
    rangs = []
    for h in queries.historique(sollicitation, pour_emetteur=pour_emetteur):
        precedent = libelle_statut(h.statut_precedent, pour_emetteur=pour_emetteur) if h.statut_precedent else ""
        nouveau = libelle_statut(h.statut, pour_emetteur=pour_emetteur)
        rangs.append(
            {
                "date": h.created_at,
                "utilisateur": h.acting_user.get_full_name() if h.acting_user_id else "Chorus Pro",
                "role": LIBELLES_ROLES.get(h.role, ""),
                "action": f"{precedent} → {nouveau}" if precedent and precedent != nouveau else nouveau,
                "message": h.motif,
                "commentaire": h.commentaire,
            }
        )
    return rangs


def pieces(sollicitation, *, pour_emetteur: bool, url_name: str) -> list[dict]:
    """« Pièces jointes »: Type, Désignation, Extension, Nom de fichier, Action (seed 001)."""
    return [
        {
            "type": services.LIBELLES_TYPES.get(p.type_contenu, p.type_contenu),
            "designation": f"Jointe par {p.deposee_par.get_full_name()} le {_date(p.created_at, '%d/%m/%Y à %H:%M')}"
            + (" (brouillon, non transmise)" if p.message_id and p.message.brouillon else ""),
            "extension": p.extension,
            "nom": p.nom_fichier,
            "taille": p.taille,
            "url": reverse(url_name, args=[sollicitation.pk, p.pk]),
        }
        for p in queries.pieces_jointes(sollicitation, pour_emetteur=pour_emetteur).select_related("message")
    ]


def echanges(sollicitation) -> list[dict]:
    return [
        {
            "date": m.created_at,
            "auteur": m.auteur.get_full_name(),
            "role": LIBELLES_ROLES.get(m.role, ""),
            "texte": m.texte,
        }
        for m in queries.messages(sollicitation)
    ]


def en_tete(s, *, pour_emetteur: bool) -> dict:
    """« En-tête de la sollicitation », « Information structure émettrice » and « destinataire » (seed 001)."""
    return {
        "statut": libelle_statut(s.statut, pour_emetteur=pour_emetteur),
        "badge": statuts.badge(s.statut, pour_emetteur=pour_emetteur),
        "date_cloture": s.date_cloture,
        "date_depot": s.date_depot,
        "destinataire": "Support Chorus Pro" if s.au_support else s.structure_destinataire.raison_sociale,
        "siret_destinataire": "" if s.au_support else s.structure_destinataire.identifiant,
        "service_destinataire": ""
        if s.au_support or not s.service_destinataire_id
        else (f"{s.service_destinataire.code} – {s.service_destinataire.libelle}"),
        "affectation_initiale": (
            f"{s.structure_destinataire.raison_sociale}"
            + (f" / {s.service_destinataire.code}" if s.service_destinataire_id else "")
        )
        if s.au_support and s.structure_destinataire_id
        else "",
        "assignee": s.assignee_a.get_full_name() if s.assignee_a_id else "",
        "service_emetteur": f"{s.service_emetteur.code} – {s.service_emetteur.libelle}"
        if s.service_emetteur_id
        else "",
    }


def telecharger(sollicitation, piece_pk, *, pour_emetteur: bool):
    piece = trouve_ou_404(
        queries.piece_jointe(sollicitation, piece_pk, pour_emetteur=pour_emetteur), "Pièce jointe introuvable."
    )
    return telechargement(piece.fichier.open("rb"), nom=piece.nom_fichier, content_type=piece.type_contenu)


def exporter(qs, *, format_export: str, nom: str, pour_emetteur: bool):
    """« Exporter » the search results (CSV streamed, or XLSX)."""
    entetes = [
        "Numéro",
        "Date de dépôt",
        "État",
        "SIRET émetteur",
        "Structure émettrice",
        "Service émetteur",
        "Destinataire",
        "Service destinataire",
        "Catégorie",
        "Sous-catégorie",
        "Objet",
        "Numéro de facture",
    ]
    if not pour_emetteur:
        entetes.append("Assignée à")
    valeurs = qs.order_by("-id").values_list(
        "numero",
        "date_depot",
        "statut",
        "structure_emettrice__identifiant",
        "structure_emettrice__raison_sociale",
        "service_emetteur__code",
        "au_support",
        "structure_destinataire__raison_sociale",
        "service_destinataire__code",
        "categorie__libelle",
        "sous_categorie__libelle",
        "objet",
        "numero_facture",
        "assignee_a__prenom",
        "assignee_a__nom",
    )

    def rangs():
        for ligne in valeurs.iterator(chunk_size=2000):
            (
                numero,
                date_depot,
                statut,
                siret,
                raison,
                service,
                au_support,
                dest,
                service_dest,
                categorie,
                sous_categorie,
                objet,
                numero_facture,
                prenom,
                nom_assigne,
            ) = ligne
            rang = [
                numero,
                date_depot,
                libelle_statut(statut, pour_emetteur=pour_emetteur),
                siret,
                raison,
                service or "",
                "Support Chorus Pro" if au_support else dest,
                "" if au_support else (service_dest or ""),
                categorie,
                sous_categorie,
                objet,
                numero_facture,
            ]
            if not pour_emetteur:
                rang.append(f"{prenom} {nom_assigne}" if nom_assigne else "")
            yield rang

    if format_export == "xlsx":
        largeurs = (20, 18, 22, 16, 36, 16, 36, 16, 28, 36, 40, 18, 24)
        return exports.reponse_xlsx(f"{nom}.xlsx", "Sollicitations", entetes, rangs(), largeurs)
    return exports.reponse_csv(f"{nom}.csv", entetes, rangs())


class Cote:
    """What « Sollicitations émises » and « reçues » differ by on Rechercher, its « Exporter » and the
    sollicitation's page. Each side's URL names and export file follow its name (``emise`` or ``recue``)."""

    def __init__(self, nom: str, formulaire: type, sollicitations: Callable, groupes: dict):
        self.pour_emetteur = nom == "emise"
        self.formulaire = formulaire  # the side's Rechercher form: ``criteres()`` once valid
        # the side's one door: ``Sollicitation.objects.emises_par`` or ``recues_par``
        self.sollicitations = sollicitations
        self.groupes = groupes
        self.url_detail = f"sollicitation_{nom}"
        self.url_piece = f"piece_jointe_sollicitation_{nom}"
        self.url_recherche = f"rechercher_sollicitations_{nom}s"
        self.nom_export = f"sollicitations_{nom}s"

    def fiche(self, s, fil) -> dict:
        """The sollicitation's page as both sides show it (seed 001): en-tête, historique, échanges, pièces."""
        return {
            "s": s,
            "entete": en_tete(s, pour_emetteur=self.pour_emetteur),
            "historique": historique(s, pour_emetteur=self.pour_emetteur),
            "echanges": echanges(s),
            "pieces": pieces(s, pour_emetteur=self.pour_emetteur, url_name=self.url_piece),
            "pour_emetteur": self.pour_emetteur,
            "breadcrumb_data": fil(courant=f"Sollicitation {s.numero}"),
        }

    def synthese(self, request, statuts, *, croissant: bool = False) -> tuple[QuerySet, dict]:
        """The Synthèse: the side's sollicitations in ``statuts`` and one page of them (newest first, or oldest)."""
        qs = self.sollicitations(request.user).filter(statut__in=statuts)
        valeurs, suivante = page_par_id(
            qs.values(*queries.COLONNES_LISTE), request.GET.get("apres", ""), croissant=croissant
        )
        page = lignes(valeurs, url_name=self.url_detail, pour_emetteur=self.pour_emetteur)
        return qs, {"sollicitations": page, "suivante": suivante, "params": ""}

    def recherche(self, request) -> dict:
        """The form, one page of results and the criteria the next page and the exports carry; invalid criteria:
        the errors are shown next to the fields, nothing is searched."""
        form = self.formulaire(request.GET)
        page, suivante = [], None
        if form.is_valid():
            qs = queries.filtrer(form.criteres(), self.sollicitations(request.user), groupes=self.groupes)
            valeurs, suivante = page_par_id(qs.values(*queries.COLONNES_LISTE), request.GET.get("apres", ""))
            page = lignes(valeurs, url_name=self.url_detail, pour_emetteur=self.pour_emetteur)
        params = request.GET.copy()
        params.pop("apres", None)
        return {"form": form, "sollicitations": page, "suivante": suivante, "params": params.urlencode()}

    def exporter(self, request, format_export: str):
        form = self.formulaire(request.GET)
        if not form.is_valid():  # the search page shows what is wrong with the criteria
            return redirect(reverse(self.url_recherche) + "?" + request.GET.urlencode())
        qs = queries.filtrer(form.criteres(), self.sollicitations(request.user), groupes=self.groupes)
        return exporter(qs, format_export=format_export, nom=self.nom_export, pour_emetteur=self.pour_emetteur)


# --- « Sollicitations émises » ---------------------------------------------------------------------------------

EMISES = Cote("emise", forms.RechercheEmisesForm, Sollicitation.objects.emises_par, queries.GROUPES_STATUTS_EMETTEUR)


_fil = fil_depuis(ACCUEIL)


def _sollicitation_ou_404(user, pk):
    return trouve_ou_404(queries.sollicitation_emise(user, pk), "Sollicitation introuvable.")


def _exiger_modification(user, s) -> None:
    if not queries.peut_agir_emetteur(user, s):
        raise PermissionDenied("Votre profil « Sollicitations émises » est en consultation : il ne permet pas d'agir.")


def _onglets(request) -> dict:
    return {"peut_saisir": queries.peut_emettre(request.user)}


@login_required
def synthese(request):
    """What waits for me: a complement to give (« Demande d'information »), an answer to accept or send back."""
    _qs, page = EMISES.synthese(request, STATUTS_ATTENTE_EMETTEUR)
    return render(
        request,
        "sollicitations/emises/synthese.html",
        {**page, **_onglets(request), "breadcrumb_data": fil_ariane(courant=ACCUEIL[0])},
    )


@login_required
def rechercher(request):
    return render(
        request,
        "sollicitations/emises/rechercher.html",
        {**EMISES.recherche(request), **_onglets(request), "breadcrumb_data": _fil("Rechercher")},
    )


@login_required
def exporter_emises(request, format_export="csv"):
    return EMISES.exporter(request, format_export)


def _donnees_etape(post) -> dict:
    """What was typed, to redisplay the form at an intermediate step (no error shown, nothing saved)."""
    champs = [
        "structure_emettrice",
        "service_emetteur",
        "categorie",
        "sous_categorie",
        "siret_destinataire",
        "service_destinataire",
        "objet",
        "message",
        "numero_facture",
        "siret_concerne",
        "courriel_contact",
        "telephone_contact",
    ]
    return {champ: post.get(champ, "") for champ in champs}


def _pre_remplissage(parametres) -> dict:
    """« Poser une question » from an invoice's page: the form opens with its sous-catégorie (by code), recipient
    (SIRET, service code), number and objet. Only initial values: the form checks everything again when sent, and a
    value that matches nothing is left out."""
    initial = {
        champ: parametres.get(champ, "")[:200]
        for champ in ("siret_destinataire", "numero_facture", "objet", "structure_emettrice")
        if parametres.get(champ)
    }
    if parametres.get("sous_categorie"):
        sous_categorie = queries.sous_categories_actives().filter(code=parametres["sous_categorie"]).first()
        if sous_categorie is not None:
            initial["categorie"], initial["sous_categorie"] = sous_categorie.categorie_id, sous_categorie.pk
    siret = normaliser(initial.get("siret_destinataire", ""))
    structure = queries.structure_publique_active(siret) if siret and parametres.get("service_destinataire") else None
    if structure is not None:
        service = queries.services_actifs(structure).filter(code=parametres["service_destinataire"]).first()
        if service is not None:
            initial["service_destinataire"] = service.pk
    return initial


@login_required
def saisir(request):
    """« Saisir une sollicitation »: catégorie then sous-catégorie, the public structure and its service when the
    sous-catégorie is treated by a business service, objet, message, attachments."""
    if not queries.peut_emettre(request.user):
        raise PermissionDenied("Le profil « Sollicitations émises » en modification est nécessaire pour saisir.")
    action = request.POST.get("action", "deposer") if request.method == "POST" else ""
    recherche = None
    if request.method == "POST" and action in ("categorie", "destinataire"):
        donnees = _donnees_etape(request.POST)
        if action == "categorie":
            donnees["sous_categorie"] = ""
        form = forms.SaisieSollicitationForm(initial=donnees, user=request.user)
        if action == "destinataire":
            recherche = _recherche_destinataire(donnees["siret_destinataire"])
    elif request.method == "POST":
        form = forms.SaisieSollicitationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                s = services.deposer_sollicitation(acting_user=request.user, **form.donnees())
            except ValidationError as exc:
                erreurs_sur_formulaire(form, exc, forms.CHAMPS_SAISIE)
            else:
                messages.success(
                    request,
                    f"Votre sollicitation {s.numero} est déposée. Elle est adressée "
                    f"{services.destinataire_lisible(s)}.",
                )
                return redirect("sollicitation_emise", pk=s.pk)
    else:
        form = forms.SaisieSollicitationForm(
            initial={
                "courriel_contact": request.user.email,
                "telephone_contact": request.user.telephone,
                **_pre_remplissage(request.GET),
            },
            user=request.user,
        )
    arbre = {
        str(c.pk): [[sc.pk, sc.libelle, sc.acheminement] for sc in c.sous_categories.all() if sc.actif]
        for c in queries.categories_actives().prefetch_related("sous_categories")
    }
    return render(
        request,
        "sollicitations/emises/saisir.html",
        {
            "form": form,
            "recherche": recherche,
            "arbre_categories": arbre,
            **_onglets(request),
            "url_structure": reverse("structure_publique_sollicitation", args=["00000000000000"]),
            "breadcrumb_data": _fil("Saisir une sollicitation"),
        },
    )


def _recherche_destinataire(siret: str) -> dict:
    siret = normaliser(siret)
    structure = queries.structure_publique_active(siret) if siret else None
    if structure is None:
        return {"trouvee": False, "message": "Aucune structure publique active de l'annuaire n'a ce SIRET."}
    return {"trouvee": True, "message": f"Structure trouvée : {structure.raison_sociale} ({structure.identifiant})."}


@login_required
@require_GET
def structure_publique(request, siret):
    """The progressive enhancement of the saisie: an active public structure of the annuaire and its services."""
    structure = queries.structure_publique_active(normaliser(siret))
    if structure is None:
        return JsonResponse(
            {"trouvee": False, "message": "Aucune structure publique active de l'annuaire n'a ce SIRET."}
        )
    return JsonResponse(
        {
            "trouvee": True,
            "message": f"Structure trouvée : {structure.raison_sociale} ({structure.identifiant}).",
            "code_service_obligatoire": structure.code_service_obligatoire,
            "services": [[s.pk, f"{s.code} – {s.libelle}"] for s in queries.services_actifs(structure)],
        }
    )


class MessageEmetteur(NamedTuple):
    libelles: dict  # the form's wording
    transition: Callable
    succes: str


# The sender's two messages, by the name of their form on the page: « Répondre » to a « Demande d'information »,
# « Renvoyer » an answer that does not suit.
MESSAGES_EMETTEUR = {
    "form_reponse": MessageEmetteur(
        {"obligatoire": "Votre réponse est obligatoire."},
        services.repondre_demande_information,
        "Votre réponse est transmise : la sollicitation {n} est à nouveau à traiter.",
    ),
    "form_renvoi": MessageEmetteur(
        {
            "obligatoire": "Expliquez pourquoi la réponse ne vous convient pas.",
            "libelle": "Pourquoi la réponse ne vous convient-elle pas ?",
        },
        services.renvoyer_sollicitation,
        "La sollicitation {n} est renvoyée au service qui l'a traitée.",
    ),
}


def _page(request, s, *, form_reponse=None, form_renvoi=None):
    actions = statuts.actions_emetteur(s.statut)
    peut_agir = bool(actions) and queries.peut_agir_emetteur(request.user, s)
    if peut_agir and statuts.REPONDRE in actions and form_reponse is None:
        form_reponse = forms.ReponseEmetteurForm(**MESSAGES_EMETTEUR["form_reponse"].libelles)
    if peut_agir and statuts.RENVOYER in actions and form_renvoi is None:
        form_renvoi = forms.ReponseEmetteurForm(**MESSAGES_EMETTEUR["form_renvoi"].libelles)
    return render(
        request,
        "sollicitations/emises/detail.html",
        {
            **EMISES.fiche(s, _fil),
            "peut_agir": peut_agir,
            "form_reponse": form_reponse if peut_agir else None,
            "form_renvoi": form_renvoi if peut_agir else None,
        },
    )


@login_required
def detail(request, pk):
    return _page(request, _sollicitation_ou_404(request.user, pk))


def _message_emetteur(request, pk, cle_form: str):
    """« Répondre » and « Renvoyer »: the sender's message and attachments go through the message's transition; a
    refused message shows the page again with its form."""
    libelles, transition, succes = MESSAGES_EMETTEUR[cle_form]
    s = _sollicitation_ou_404(request.user, pk)
    _exiger_modification(request.user, s)
    form = forms.ReponseEmetteurForm(request.POST, request.FILES, **libelles)
    if form.is_valid():
        try:
            transition(
                acting_user=request.user,
                sollicitation=s,
                message=form.cleaned_data["message"],
                fichiers=form.cleaned_data["pieces"],
            )
        except TransitionInterdite as exc:
            messages.error(request, exc.message)
            return redirect("sollicitation_emise", pk=s.pk)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(request, succes.format(n=s.numero))
            return redirect("sollicitation_emise", pk=s.pk)
    return _page(request, s, **{cle_form: form})


@login_required
@require_POST
def repondre(request, pk):
    """The sender answers « Demande d'information »."""
    return _message_emetteur(request, pk, "form_reponse")


@login_required
@require_POST
def cloturer(request, pk):
    """The sender accepts the answer: « Clôturée »."""
    s = _sollicitation_ou_404(request.user, pk)
    _exiger_modification(request.user, s)
    try:
        services.cloturer_sollicitation(acting_user=request.user, sollicitation=s)
    except TransitionInterdite as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"La sollicitation {s.numero} est clôturée.")
    return redirect("sollicitation_emise", pk=s.pk)


@login_required
@require_POST
def renvoyer(request, pk):
    """The sender is not satisfied with the answer: back to the receiving side with a message."""
    return _message_emetteur(request, pk, "form_renvoi")


@login_required
def piece_jointe(request, pk, piece_pk):
    return telecharger(_sollicitation_ou_404(request.user, pk), piece_pk, pour_emetteur=True)
