"""« Déposer facture »: read a deposited file (PDF, signed PDF, Factur-X, UBL, CII) into a pre-filled draft.

The format comes from the content, never from the file name. XML (alone or embedded in a Factur-X) pre-fills
the whole form and is checked against EN 16931; a plain PDF pre-fills what its text reveals, each such field
marked « à vérifier ». The analysis is stored on the draft (``Facture.analyse_depot``) for the form to show.
"""

from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError

from chorus.identifiers import siret_valide
from facturation import en16931, pdf
from facturation.donnees import DonneesFacture
from facturation.enums import CODE_MOYEN_PAIEMENT, TAUX_TVA, ModeDepot, TypeFacture, TypeTva
from facturation.lecture_xml import lire_racine
from facturation.xml_securise import XmlInvalide, parser
from organisation.enums import TypeIdentifiant
from organisation.models import CoordonneesBancaires, Structure

TAILLE_MAX = 10 * 1024 * 1024
LIBELLES_FORMAT = {
    "PDF_NON_SIGNE": "PDF non signé",
    "PDF_SIGNE": "PDF signé (PAdES)",
    "FACTURX": "PDF Factur-X",
    "UBL_INVOICE": "XML UBL 2.1 (Invoice)",
    "UBL_CREDITNOTE": "XML UBL 2.1 (CreditNote)",
    "CII": "XML CII (UN/CEFACT)",
}
MODES_PAIEMENT = {code: mode for mode, code in CODE_MOYEN_PAIEMENT.items()}


@dataclass
class Analyse:
    format: str
    donnees: DonneesFacture
    signatures: list[dict] = field(default_factory=list)
    erreurs: list[dict] = field(default_factory=list)  # EN 16931, field by field
    xml: bytes | None = None
    profil: en16931.Profil | None = None  # BT-24, read when the rules run (None: absent or unknown, or no XML)
    # The XML's tree as ``lire_document`` parsed it, for the rules to check without parsing it again; let go once
    # they ran (a chunk of a flux keeps its analysed documents until it writes them).
    racine: object | None = field(default=None, repr=False, compare=False)

    @property
    def mode_depot(self) -> str:
        return ModeDepot.DEPOT_XML if self.format.startswith(("UBL", "CII")) else ModeDepot.DEPOT_PDF

    def resume(self) -> dict:
        """What the draft keeps (JSON)."""
        return {
            "format": self.format,
            "libelle_format": LIBELLES_FORMAT.get(self.format, self.format),
            "signatures": self.signatures,
            "erreurs": self.erreurs,
            "champs_a_verifier": sorted(self.donnees.champs_a_verifier),
        }


def analyser(contenu: bytes) -> Analyse:
    """The file read and, when it is structured (XML, Factur-X), checked against its EN 16931 rules. Raises
    ValidationError (French) for an empty, too large, unknown or unreadable file."""
    return verifier_regles(lire_document(contenu))


def verifier_regles(analyse: Analyse) -> Analyse:
    """The analysis with the EN 16931 errors of its XML (none for a plain PDF) and its profile (BT-24). The tree
    ``lire_document`` parsed is the one checked (issue 15: a document is parsed once), and its profile, read once,
    is the one the rules apply: the same errors as ``en16931.verifier`` on the bytes."""
    if not analyse.xml:
        return analyse
    racine = analyse.racine
    if racine is None:
        try:
            racine = parser(analyse.xml)
        except XmlInvalide:
            racine = analyse.xml  # unreadable: the rules report it (regle « XML »)
    try:
        profil = en16931.profil_du_document(racine)
    except XmlInvalide:
        # Unreadable, another syntax, BT-24 absent or unknown: the rules read it again and say so (or check EN 16931
        # when BT-24 is absent), as without a profile.
        profil = None
    erreurs = [asdict(e) for e in en16931.verifier(racine, profil=profil)]
    return replace(analyse, erreurs=erreurs, profil=profil, racine=None)


def lire_document(contenu: bytes) -> Analyse:
    """The file read, its rules not run (``erreurs`` empty): what a caller checks before paying for the rules (a
    flux refuses a file of another syntax than it declares without compiling that syntax's rules), or all it needs
    (a refused file's number). Raises ValidationError (French) for an empty, too large, unknown or unreadable file."""
    if not contenu:
        raise ValidationError("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise ValidationError("Le fichier dépasse la taille maximale de 10 Mo.")
    nature = pdf.sniffer(contenu)
    if nature == "XML":
        try:
            racine = parser(contenu)
            syntaxe, donnees = lire_racine(racine)
        except XmlInvalide as exc:
            raise ValidationError(str(exc)) from exc
        return Analyse(format=syntaxe, donnees=donnees, xml=contenu, racine=racine)
    if nature == "PDF":
        try:
            resultat = pdf.analyser_pdf(contenu)
        except pdf.PdfInvalide as exc:
            raise ValidationError(str(exc)) from exc
        signatures = [
            {
                "intacte": s.intacte,
                "signataire": s.signataire,
                "date_signature": s.date_signature.isoformat() if s.date_signature else "",
                "couvre_tout_le_document": s.couvre_tout_le_document,
            }
            for s in resultat.signatures
        ]
        if resultat.xml_facturx:
            try:
                racine = parser(resultat.xml_facturx)
                _syntaxe, donnees = lire_racine(racine)
            except XmlInvalide as exc:
                raise ValidationError(f"Le XML Factur-X intégré au PDF est illisible : {exc}") from exc
            return Analyse(
                format="FACTURX", donnees=donnees, signatures=signatures, xml=resultat.xml_facturx, racine=racine
            )
        return Analyse(format=resultat.format, donnees=pdf.extraire_du_texte(resultat.texte), signatures=signatures)
    raise ValidationError(
        "Format de fichier non reconnu : déposez un PDF (signé ou non, Factur-X) ou un XML UBL 2.1 ou CII."
    )


def type_tva_du_document(d) -> str:
    """Chorus Pro's « type de TVA » of a document, from its VAT categories: only E is an exemption, only O « sans
    TVA », anything else VAT on debits (the portal's default)."""
    categories = {ligne.categorie_tva for ligne in d.lignes} | {t.categorie for t in d.tva}
    if categories and categories <= {"E"}:
        return TypeTva.EXONERATION
    if categories and categories <= {"O"}:
        return TypeTva.SANS_TVA
    return TypeTva.TVA_SUR_DEBIT


def valeurs_facture(analyse: Analyse, *, fournisseur) -> tuple[dict, list[dict]]:
    """The draft's fields and lines pre-filled from the analysis (nothing is written here)."""
    d = analyse.donnees
    destinataire = None
    if d.destinataire.siret and siret_valide(d.destinataire.siret):
        destinataire = Structure.objects.filter(
            type_identifiant=TypeIdentifiant.SIRET, identifiant=d.destinataire.siret
        ).first()
    service = None
    code = (d.destinataire.code_service or d.reference_acheteur or "").strip().upper()
    if destinataire is not None and code:
        service = destinataire.services.filter(code=code).first()
    coordonnees = None
    if d.iban:
        coordonnees = CoordonneesBancaires.objects.filter(
            structure=fournisseur, iban="".join(d.iban.split()).upper(), active=True
        ).first()
    type_tva = type_tva_du_document(d)
    valeurs = {
        "fournisseur": fournisseur,
        "destinataire": destinataire,
        "service_destinataire": service,
        "coordonnees_bancaires": coordonnees,
        "numero": (d.numero or "")[:20],
        "date_facture": d.date_emission,
        "date_echeance": d.date_echeance,
        "devise": d.devise or "EUR",
        "type_facture": TypeFacture.AVOIR if d.type_document == "381" else TypeFacture.FACTURE,
        "type_tva": type_tva,
        "motif_exoneration": d.motif_exoneration
        or next((t.motif_exoneration for t in d.tva if t.motif_exoneration), ""),
        "numero_marche": d.numero_marche[:50],
        "numero_engagement": d.numero_engagement[:50],
        "numero_facture_origine": d.facture_origine[:20],
        "mode_paiement": MODES_PAIEMENT.get(d.mode_paiement, "VIREMENT"),
        "commentaire": d.commentaire,
        "mode_depot": analyse.mode_depot,
    }
    lignes = [
        {
            "reference": ligne.reference[:50],
            "denomination": (ligne.denomination or "Ligne")[:250],
            "quantite": ligne.quantite,
            "unite": ligne.unite or "C62",
            "prix_unitaire_ht": ligne.prix_unitaire_ht,
            "remise_ht": ligne.remise_ht,
            "taux_tva": ligne.taux_tva,
        }
        for ligne in d.lignes
    ]
    if not lignes:
        # A plain PDF gives totals at best: one line carries them (one per VAT rate read with its base), for the
        # user to detail.
        ht = d.totaux.total_ht
        taux_lus = [t for t in d.tva if _texte_taux(t.taux).replace(",", ".") in TAUX_TVA]
        if len(taux_lus) > 1 and len(taux_lus) == len(d.tva) and all(t.base_ht > 0 for t in taux_lus):
            lignes = [
                {
                    "denomination": f"Montant soumis à la TVA à {_texte_taux(t.taux)} % (à détailler)",
                    "quantite": Decimal(1),
                    "prix_unitaire_ht": t.base_ht,
                    "remise_ht": 0,
                    "taux_tva": t.taux,
                }
                for t in taux_lus
            ]
        else:
            taux = taux_lus[0].taux if len(taux_lus) == 1 else _taux_probable(ht, d.totaux.total_tva)
            lignes = [
                {
                    "denomination": "Montant de la facture (à détailler)",
                    "quantite": Decimal(1),
                    "prix_unitaire_ht": ht if ht > 0 else Decimal(0),
                    "remise_ht": 0,
                    "taux_tva": taux,
                }
            ]
        d.champs_a_verifier.add("lignes")
    return valeurs, lignes


def _texte_taux(taux: Decimal) -> str:
    """``Decimal("5.50")`` → ``5,5``."""
    return format(taux.normalize(), "f").replace(".", ",")


def _taux_probable(ht: Decimal, tva: Decimal) -> Decimal:
    if not ht:
        return Decimal(20)
    taux = tva / ht * 100
    return min((Decimal(t) for t in ("20", "10", "5.5", "2.1", "0")), key=lambda t: abs(t - taux))
