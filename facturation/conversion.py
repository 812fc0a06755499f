"""A stored invoice as the interchange data (``facturation.donnees``) used by the Factur-X generator and the
EN 16931 checker."""

from datetime import date
from decimal import Decimal

from facturation.donnees import Ajustement, DonneesFacture, Ligne, LigneTva, Partie, Totaux
from facturation.enums import CODE_MOYEN_PAIEMENT, TypeFacture, TypeTva


def numero_tva_intracommunautaire(siret: str) -> str:
    """The French intra-community VAT number of a SIREN: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97."""
    siren = (siret or "")[:9]
    if len(siren) != 9 or not siren.isdigit():
        return ""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def _partie(structure, code_service: str = "") -> Partie:
    return Partie(
        raison_sociale=structure.raison_sociale,
        siret=structure.identifiant,
        numero_tva=numero_tva_intracommunautaire(structure.identifiant) if structure.code_pays == "FR" else "",
        adresse=structure.adresse,
        code_postal=structure.code_postal,
        ville=structure.ville,
        code_pays=structure.code_pays or "FR",
        code_service=code_service,
    )


def partie_en_json(partie: Partie) -> dict:
    """A party as the document writes it, for ``Facture.parties_document``."""
    return {
        "raison_sociale": partie.raison_sociale,
        "nom_commercial": partie.nom_commercial,
        "siret": partie.siret,
        "siren": partie.siren,
        "identifiants": [list(i) for i in partie.identifiants],
        "numero_tva": partie.numero_tva,
        "adresse": partie.adresse,
        "adresse_complement": partie.adresse_complement,
        "code_postal": partie.code_postal,
        "ville": partie.ville,
        "code_pays": partie.code_pays,
    }


def _partie_du_document(ecrite: dict, structure, code_service: str = "") -> Partie:
    """The party as the deposited document wrote it; the portal's SIRET (routing) stays authoritative."""
    partie = Partie(
        raison_sociale=ecrite.get("raison_sociale") or structure.raison_sociale,
        siret=structure.identifiant,
        numero_tva=ecrite.get("numero_tva", ""),
        adresse=ecrite.get("adresse", ""),
        code_postal=ecrite.get("code_postal", ""),
        ville=ecrite.get("ville", ""),
        code_pays=ecrite.get("code_pays") or structure.code_pays or "FR",
        code_service=code_service,
        nom_commercial=ecrite.get("nom_commercial", ""),
        adresse_complement=ecrite.get("adresse_complement", ""),
        identifiants=[tuple(i) for i in ecrite.get("identifiants", [])],
    )
    return partie


def _categorie(facture, taux, categorie: str = "") -> str:
    if categorie:
        return categorie
    if facture.type_tva == TypeTva.EXONERATION:
        return "E"
    if facture.type_tva == TypeTva.SANS_TVA:
        return "O"
    return "S" if taux > 0 else "Z"


def donnees_de(facture) -> DonneesFacture:
    code_service = facture.service_destinataire.code if facture.service_destinataire_id else ""
    coord = facture.coordonnees_bancaires
    recap = list(facture.recapitulatif_tva.all())
    lignes = list(facture.lignes.all())
    ajustements = list(facture.ajustements.all())
    ecrites = facture.parties_document or {}
    if "fournisseur" in ecrites:
        fournisseur = _partie_du_document(ecrites["fournisseur"], facture.fournisseur)
    else:
        fournisseur = _partie(facture.fournisseur)
    if not facture.destinataire_id:
        destinataire = Partie()
    elif "destinataire" in ecrites:
        destinataire = _partie_du_document(ecrites["destinataire"], facture.destinataire, code_service)
    else:
        destinataire = _partie(facture.destinataire, code_service)
    analyse = facture.analyse_depot or {}
    return DonneesFacture(
        numero=facture.numero,
        date_emission=facture.date_facture,
        type_document="381" if facture.type_facture == TypeFacture.AVOIR else "380",
        devise=facture.devise,
        date_echeance=facture.date_echeance,
        reference_acheteur=code_service,
        numero_engagement=facture.numero_engagement,
        numero_marche=facture.numero_marche,
        facture_origine=facture.numero_facture_origine,
        mode_paiement=CODE_MOYEN_PAIEMENT.get(facture.mode_paiement, ""),
        iban=coord.iban if coord else "",
        bic=coord.bic if coord else "",
        commentaire=facture.commentaire,
        motif_exoneration=facture.motif_exoneration,
        fournisseur=fournisseur,
        destinataire=destinataire,
        profil=facture.profil,
        conditions_paiement=facture.conditions_paiement,
        date_livraison=facture.date_livraison,
        livraison=_lieu_de_livraison(ecrites.get("livraison") or {}),
        periode_debut=facture.periode_debut,
        periode_fin=facture.periode_fin,
        factures_precedentes=[
            (p.get("numero", ""), date.fromisoformat(p["date"]) if p.get("date") else None)
            for p in facture.factures_precedentes or []
        ],
        avec_lignes=analyse.get("avec_lignes", True),
        ajustements=[
            Ajustement(
                charge=a.charge,
                montant=a.montant,
                base=a.base,
                pourcentage=a.pourcentage,
                motif=a.motif,
                code_motif=a.code_motif,
                categorie_tva=a.categorie_tva,
                taux_tva=a.taux_tva,
            )
            for a in ajustements
        ],
        lignes=[
            Ligne(
                numero=str(ligne.ordre),
                reference=ligne.reference,
                denomination=ligne.denomination,
                quantite=ligne.quantite,
                unite=ligne.unite,
                prix_unitaire_ht=ligne.prix_unitaire_ht,
                remise_ht=ligne.remise_ht,
                taux_tva=ligne.taux_tva,
                categorie_tva=_categorie(facture, ligne.taux_tva, ligne.categorie_tva),
                montant_ht=ligne.montant_ht,
                quantite_base=ligne.quantite_base,
                charges_ht=ligne.charges_ht,
                ajustements=[_ajustement_ligne(a) for a in ligne.ajustements or []],
            )
            for ligne in lignes
        ],
        tva=[
            LigneTva(
                categorie=_categorie(facture, t.taux, t.categorie),
                taux=t.taux,
                base_ht=t.base_ht,
                montant_tva=t.montant_tva,
                motif_exoneration=t.motif_exoneration
                or (facture.motif_exoneration if facture.type_tva == TypeTva.EXONERATION else ""),
                code_motif_exoneration=t.code_motif_exoneration,
            )
            for t in recap
        ],
        totaux=Totaux(
            total_lignes_ht=facture.montant_lignes_ht,
            remises_document_ht=facture.montant_remises_ht,
            charges_document_ht=facture.montant_charges_ht,
            total_ht=facture.montant_ht,
            total_tva=facture.montant_tva,
            total_ttc=facture.montant_ttc,
            deja_paye=facture.montant_deja_paye,
            arrondi=facture.montant_arrondi,
            net_a_payer=facture.montant_a_payer,
        ),
    )


def _decimal_ou_rien(valeur) -> Decimal | None:
    return Decimal(valeur) if valeur not in (None, "") else None


def ajustement_en_json(a: Ajustement) -> dict:
    """A line allowance or charge (BG-27 / BG-28) for ``LignePoste.ajustements``: amounts as strings."""
    return {
        "charge": a.charge,
        "montant": str(a.montant),
        "base": None if a.base is None else str(a.base),
        "pourcentage": None if a.pourcentage is None else str(a.pourcentage),
        "motif": a.motif,
        "code_motif": a.code_motif,
    }


def _ajustement_ligne(a: dict) -> Ajustement:
    return Ajustement(
        charge=bool(a.get("charge")),
        montant=Decimal(a["montant"]),
        base=_decimal_ou_rien(a.get("base")),
        pourcentage=_decimal_ou_rien(a.get("pourcentage")),
        motif=a.get("motif", ""),
        code_motif=a.get("code_motif", ""),
    )


def _lieu_de_livraison(ecrit: dict) -> Partie:
    return Partie(
        raison_sociale=ecrit.get("raison_sociale", ""),
        adresse=ecrit.get("adresse", ""),
        code_postal=ecrit.get("code_postal", ""),
        ville=ecrit.get("ville", ""),
        code_pays=ecrit.get("code_pays", ""),
    )
