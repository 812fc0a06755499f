"""« Déposer » (seed 001: « TYPE DE DÉPÔT », « CHOIX DU FICHIER À IMPORTER », « INFORMATIONS COMPLÉMENTAIRES »,
« Enregistrer en mode Brouillon », « Valider et envoyer »), the structure search inside the form, the récapitulatif
that sends a draft (seed 000: « Confirmer et envoyer » … « récapitulatif d'envoi ») and the certificat de dépôt.
Every rule is ``travaux.services``'; these views read the form, call one service and show its French messages."""

import logging
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from chorus.fichiers import telechargement
from chorus.identifiers import normaliser
from chorus.pages import fil_depuis
from facturation.certificat import empreinte_depot, generer_certificat_pdf
from facturation.enums import Cadre
from facturation.facturx import affichage_montant
from organisation import queries as org_queries
from organisation.enums import Niveau, StatutStructure, TypeStructure
from organisation.models import Service, Structure
from travaux import queries, services, statuts
from travaux.forms.actions import RechercheStructureForm
from travaux.forms.depot import LIGNES_TVA, DepotForm
from travaux.models import PieceTravaux
from travaux.statuts import CADRES, Role, StatutPiece

logger = logging.getLogger(__name__)
S = StatutPiece
NB_RESULTATS = 20
MESSAGE_PROFIL = "Le dépôt exige le profil « Factures de travaux » en modification sur l'une de vos structures."


_fil = fil_depuis(("Factures de travaux", "travaux_synthese"))


def _structures_depot(user):
    structures = services.structures_travaux(user).order_by("raison_sociale", "pk")
    if not structures.exists():
        raise PermissionDenied(MESSAGE_PROFIL)
    return structures


def _piece_visible(user, pk):
    """The one door to a piece on these pages (``PieceTravaux.objects.visibles_par``): 404 outside it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    piece = (
        PieceTravaux.objects.visibles_par(user)
        .select_related(
            "dossier__fournisseur",
            "dossier__moe",
            "dossier__moa",
            "dossier__validateur",
            "dossier__destinataire",
            "dossier__service_destinataire",
            "deposant",
            "service_deposant",
            "recevant",
            "pour_le_compte_de",
            "piece_precedente",
        )
        .filter(pk=pk)
        .first()
    )
    if piece is None or piece.statut == S.ABANDONNEE:
        raise Http404("Pièce introuvable.")
    return piece


def _services_deposants(user, structures):
    """The services the user works in (``organisation.queries.services_visibles``) on its depositing structures."""
    condition = Q(pk__in=[])
    for structure in structures:
        condition |= Q(pk__in=org_queries.services_visibles(user, structure).values("pk"))
    return Service.objects.filter(condition)


def _cadres_proposes(precedente, structures) -> list[str]:
    """The cadres the select offers: those that open a dossier, or those that may follow ``precedente`` and that one
    of the user's structures deposits (``services.cadres_deposables``). Any other cadre typed in is still sent to
    the services, which refuse it with their message."""
    if precedente is None:
        return list(statuts.CADRES_INITIAUX)
    return services.cadres_deposables(precedente, structures) or list(CADRES[precedente.cadre].suivantes)


def _reprise(precedente) -> dict:
    """« Certaines données ont été reprises de la pièce précédente »: references, amounts, VAT, service financier."""
    dossier = precedente.dossier
    initial = {
        "numero_marche": precedente.numero_marche or dossier.numero_marche,
        "numero_engagement": precedente.numero_engagement,
        "devise": precedente.devise,
        "type_tva": precedente.type_tva,
        "montant_ht": precedente.montant_ht,
        "montant_tva": precedente.montant_tva,
        "montant_ttc": precedente.montant_ttc,
        "montant_a_payer": precedente.montant_a_payer,
    }
    for i, ligne in enumerate(precedente.detail_tva[:LIGNES_TVA], start=1):
        initial |= {
            f"tva_taux_{i}": ligne.get("taux"),
            f"tva_base_{i}": ligne.get("base_ht"),
            f"tva_montant_{i}": ligne.get("montant_tva"),
        }
    if dossier.destinataire is not None:
        initial["destinataire"] = dossier.destinataire.identifiant
    if dossier.service_destinataire is not None:
        initial["code_service"] = dossier.service_destinataire.code
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def deposer(request):
    structures = _structures_depot(request.user)
    precedente = _piece_visible(request.user, request.GET["suite"]) if request.GET.get("suite") else None
    cadres = _cadres_proposes(precedente, structures)
    initial = {"cadre": cadres[0] if cadres else ""}
    if precedente is not None:
        initial |= _reprise(precedente)
        titulaire = services.acteur(precedente.dossier, CADRES[cadres[0]].deposant) if cadres else None
        if titulaire is not None and structures.filter(pk=titulaire.pk).exists():
            initial["deposant"] = titulaire.pk
    form = DepotForm(
        request.POST or None,
        request.FILES or None,
        structures=structures,
        services_deposants=_services_deposants(request.user, structures),
        cadres=cadres,
        initial_depot=precedente is None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        brouillon = request.POST.get("action") == "brouillon"
        try:
            fichier = services.lire_fichier(d["fichier"].read(), d["fichier"].name, format_annonce=d["format_depot"])
            piece = services.deposer(
                acting_user=request.user,
                cadre=d["cadre"],
                deposant=d["deposant"],
                service_deposant=d["service_deposant"],
                fichier=fichier,
                saisie=form.saisie(),
                acteurs=form.acteurs(),
                precedente=precedente,
                brouillon=True,  # « Valider et envoyer » goes through the récapitulatif (``confirmer``)
                pieces_jointes=form.fichiers_joints(),
                pour_le_compte_de=d.get("pour_le_compte_de"),
            )
        except ValidationError as exc:
            form.ajouter_erreurs(exc)
        else:
            if brouillon:
                messages.success(
                    request,
                    f"La pièce n° {piece.numero} est enregistrée en mode brouillon. Vous pourrez la valider et "
                    "l'envoyer depuis son suivi de traitement.",
                )
                return redirect("travaux_piece", pk=piece.pk)
            return redirect("travaux_confirmer", pk=piece.pk)
    return render(
        request,
        "travaux/deposer.html",
        {
            "form": form,
            "precedente": precedente,
            "regle_precedente": CADRES[precedente.cadre] if precedente else None,
            "reprise": precedente is not None and request.method == "GET",
            "form_recherche": RechercheStructureForm(),
            "peut_deposer": True,
            "breadcrumb_data": _fil("Déposer"),
        },
    )


# --- The structure search inside the form ------------------------------------------------------------------------


def _recherche_structures(criteres: dict) -> tuple[list, bool]:
    siret, raison_sociale, code_postal = criteres["siret"], criteres["raison_sociale"], criteres["code_postal"]
    texte = criteres["q"]
    if not any((siret, raison_sociale, code_postal, texte)):
        return [], False
    qs = Structure.objects.filter(statut=StatutStructure.ACTIVE)
    if siret:
        qs = qs.filter(identifiant__startswith=siret)
    if raison_sociale:
        qs = qs.filter(raison_sociale__icontains=raison_sociale)
    if code_postal:
        qs = qs.filter(code_postal__startswith=code_postal)
    if texte:
        qs = qs.filter(
            Q(identifiant__startswith=normaliser(texte)) | Q(raison_sociale__icontains=texte) | Q(code_postal=texte)
        )
    if criteres["publique"]:
        qs = qs.filter(type_structure=TypeStructure.PUBLIQUE)
    qs = qs.order_by("raison_sociale", "pk").prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(actif=True).order_by("code"), to_attr="services_actifs")
    )
    return list(qs[:NB_RESULTATS]), True


@login_required
@require_GET
def chercher_structures(request):
    """« Rechercher une structure » (SIRET, raison sociale, code postal): active structures only, at most 20, with
    their active services (code service). JSON for ``format=json``, a small HTML fragment for ``partiel=1`` (the
    form's script), a page otherwise (without JavaScript)."""
    _structures_depot(request.user)
    criteres = RechercheStructureForm(request.GET).criteres()
    resultats, recherche = _recherche_structures(criteres)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "structures": [
                    {
                        "siret": s.identifiant,
                        "raison_sociale": s.raison_sociale,
                        "code_postal": s.code_postal,
                        "ville": s.ville,
                        "publique": s.est_publique,
                        "services": [{"code": sv.code, "libelle": sv.libelle} for sv in s.services_actifs],
                    }
                    for s in resultats
                ]
            }
        )
    contexte = {
        "resultats": resultats,
        "recherche": recherche,
        "nb_max": NB_RESULTATS,
    }
    if request.GET.get("partiel"):
        # The form's script fills the field the user chose (« Acteur à renseigner ») with the SIRET picked.
        return render(request, "travaux/_depot_structures.html", {**contexte, "cible": criteres["cible"]})
    return render(
        request,
        "travaux/_depot_structures_page.html",
        {**contexte, "cible": "", "peut_deposer": True, "breadcrumb_data": _fil("Rechercher une structure")},
    )


# --- Récapitulatif, « Valider et envoyer », certificat de dépôt ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def confirmer(request, pk):
    piece = _piece_visible(request.user, pk)
    actions = services.actions_possibles(request.user, piece)
    peut_envoyer = "envoyer" in actions
    erreurs = []
    if request.method == "POST":
        if not peut_envoyer:
            raise PermissionDenied("Seule la structure qui a déposé ce brouillon peut l'envoyer.")
        try:
            services.envoyer_brouillon(acting_user=request.user, piece=piece)
        except ValidationError as exc:
            erreurs = exc.messages
        else:
            messages.success(request, f"La pièce n° {piece.numero} a été déposée et envoyée.")
            return redirect("travaux_confirmer", pk=piece.pk)
    brouillon = piece.statut == S.BROUILLON
    return render(
        request,
        "travaux/confirmer.html",
        {
            "piece": piece,
            "dossier": piece.dossier,
            "brouillon": brouillon,
            "est_deposant": "deposant" in services.roles_sur_piece(request.user, piece, Niveau.CONSULTATION),
            "peut_envoyer": peut_envoyer and brouillon,
            "erreurs": erreurs,
            "libelle_cadre": Cadre(piece.cadre).label,
            "libelle_statut": statuts.libelle(piece.statut),
            "badge": statuts.badge(piece.statut),
            "libelle_format": services.LIBELLES_FORMAT.get(piece.format_depot, "PDF"),
            "role_deposant": Role(piece.role_deposant).label,
            "pieces_jointes": list(piece.pieces_jointes.all()),
            "signatures": _signatures(piece),
            "peut_deposer": queries.peut_deposer(request.user),
            "breadcrumb_data": _fil("Récapitulatif du dépôt" if brouillon else f"Pièce n° {piece.numero} déposée"),
        },
    )


def _signatures(piece) -> list[dict]:
    """The signers of a PAdES piece and their declared signing time, as dates (shown « jj/mm/aaaa » like every date
    of the page, not as the stored ISO text)."""
    lignes = []
    for s in piece.signatures or []:
        try:
            date_signature = datetime.fromisoformat(s.get("date_signature") or "")
        except ValueError:
            date_signature = None
        lignes.append({"signataire": s.get("signataire") or "", "date": date_signature})
    return lignes


def _date_depot(piece):
    return (
        piece.historique.filter(statut=S.DEPOSEE)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )


@login_required
@require_GET
def certificat(request, pk):
    """The certificat de dépôt of a sent piece (``facturation.certificat``'s layout and digest): a payable piece's is
    its invoice's (verifiable on the public page); another piece's digest binds its file to its number, its
    fournisseur, the actor it was sent to and the deposit time."""
    piece = _piece_visible(request.user, pk)
    date_depot = _date_depot(piece)
    if piece.statut == S.BROUILLON or date_depot is None:
        raise Http404("Cette pièce n'a pas encore été déposée.")
    dossier = piece.dossier
    facture = piece.facture if piece.facture_id else None
    destinataire = dossier.destinataire if CADRES[piece.cadre].payable else piece.recevant
    destinataire = destinataire or dossier.fournisseur
    if facture is not None and facture.empreinte_certificat:
        empreinte, date_depot, verification = facture.empreinte_certificat, facture.date_depot or date_depot, None
    else:
        with piece.fichier.open("rb") as f:
            contenu = f.read()
        empreinte = empreinte_depot(
            contenu,
            numero=piece.numero,
            siret_fournisseur=dossier.fournisseur.identifiant,
            siret_destinataire=destinataire.identifiant,
            date_depot=date_depot,
        )
        verification = (
            "Cette empreinte SHA-256 (encodée en base64) est calculée sur l'empreinte du fichier déposé suivie des "
            "données clés (numéro, SIRET du fournisseur et de l'acteur destinataire de la pièce, date de dépôt en "
            "UTC) sérialisées en JSON canonique. Toute modification du document, même d'un seul octet, change "
            "l'empreinte."
        )
    lignes = [
        ("Dossier de facturation", f"n° {dossier.numero}"),
        ("Déposant", f"{piece.deposant} – {Role(piece.role_deposant).label}"),
    ]
    if piece.pour_le_compte_de_id:
        lignes.append(("Déposé pour le compte de", str(piece.pour_le_compte_de)))
    lignes += [
        ("Format de dépôt", services.LIBELLES_FORMAT.get(piece.format_depot, "PDF")),
        ("Montant à payer", affichage_montant(piece.montant_a_payer, piece.devise)),
    ]
    pdf = generer_certificat_pdf(
        numero=piece.numero,
        type_document=Cadre(piece.cadre).label,
        date_depot=date_depot,
        fournisseur=dossier.fournisseur.raison_sociale,
        siret_fournisseur=dossier.fournisseur.identifiant,
        destinataire=destinataire.raison_sociale,
        siret_destinataire=destinataire.identifiant,
        code_service=dossier.service_destinataire.code if dossier.service_destinataire and facture else "",
        montant_ht=piece.montant_ht,
        montant_ttc=piece.montant_ttc,
        devise=piece.devise,
        empreinte=empreinte,
        mode_depot="Dépôt portail",
        lignes_supplementaires=lignes,
        verification=verification,
    )
    return telechargement(pdf, nom=f"certificat_depot_{piece.pk}.pdf", content_type="application/pdf")
