"""A stored invoice as the interchange data (``facturation.donnees``) used by the Factur-X generator and the
EN 16931 checker."""

from facturation.donnees import DonneesFacture, Ligne, LigneTva, Partie, Totaux
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


def _categorie(facture, taux) -> str:
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
        fournisseur=_partie(facture.fournisseur),
        destinataire=_partie(facture.destinataire, code_service) if facture.destinataire_id else Partie(),
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
                categorie_tva=_categorie(facture, ligne.taux_tva),
                montant_ht=ligne.montant_ht,
            )
            for ligne in lignes
        ],  # fmt: skip
        tva=[
            LigneTva(
                categorie=_categorie(facture, t.taux),
                taux=t.taux,
                base_ht=t.base_ht,
                montant_tva=t.montant_tva,
                motif_exoneration=facture.motif_exoneration if facture.type_tva == TypeTva.EXONERATION else "",
            )
            for t in recap
        ],  # fmt: skip
        totaux=Totaux(
            total_lignes_ht=sum((ligne.montant_ht for ligne in lignes), 0),
            remises_document_ht=sum((t.remise_globale_ht for t in recap), 0),
            total_ht=facture.montant_ht,
            total_tva=facture.montant_tva,
            total_ttc=facture.montant_ttc,
            net_a_payer=facture.montant_a_payer,
        ),
    )
