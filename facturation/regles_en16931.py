"""French wording of the EN 16931 business rules, for the errors the official schematron reports.

``REGLES[rule id] = (business term, its French label, French message)``. Rule ids are written as the official
schematron writes them (``BR-CO-03``, ``BR-S-08``, ``BR-DEC-12``); ``regle(id)`` also accepts the unpadded form
(``BR-CO-3``). A rule that is not in the table is reported with the schematron's own text (see
``facturation.en16931``).
"""

import re

# Business terms (BT) and groups (BG) with their French labels (norme NF EN 16931-1, libellés usuels).
TERMES = {
    "BT-1": "Numéro de facture",
    "BT-2": "Date d'émission de la facture",
    "BT-3": "Code de type de facture",
    "BT-5": "Code de devise de la facture",
    "BT-6": "Code de devise de comptabilisation de la TVA",
    "BT-7": "Date d'exigibilité de la TVA",
    "BT-8": "Code de date d'exigibilité de la TVA",
    "BT-9": "Date d'échéance du paiement",
    "BT-10": "Référence de l'acheteur (code service)",
    "BT-12": "Référence du contrat (numéro de marché)",
    "BT-13": "Référence du bon de commande (numéro d'engagement)",
    "BT-18": "Identifiant d'objet facturé",
    "BT-20": "Conditions de paiement",
    "BT-21": "Code du sujet de la note",
    "BT-22": "Note de facture",
    "BT-24": "Identifiant de spécification (cadre de facturation)",
    "BT-25": "Référence à une facture antérieure",
    "BT-27": "Raison sociale du vendeur",
    "BT-29": "Identifiant du vendeur",
    "BT-30": "Identifiant d'immatriculation légale du vendeur (SIRET)",
    "BT-31": "Numéro de TVA intracommunautaire du vendeur",
    "BT-34": "Adresse électronique du vendeur",
    "BT-35": "Adresse du vendeur - ligne 1",
    "BT-37": "Ville du vendeur",
    "BT-38": "Code postal du vendeur",
    "BT-40": "Code pays du vendeur",
    "BT-44": "Raison sociale de l'acheteur",
    "BT-46": "Identifiant de l'acheteur",
    "BT-47": "Identifiant d'immatriculation légale de l'acheteur (SIRET)",
    "BT-48": "Numéro de TVA intracommunautaire de l'acheteur",
    "BT-49": "Adresse électronique de l'acheteur",
    "BT-55": "Code pays de l'acheteur",
    "BT-59": "Nom du bénéficiaire du paiement",
    "BT-62": "Nom du représentant fiscal du vendeur",
    "BT-63": "Numéro de TVA du représentant fiscal du vendeur",
    "BT-69": "Code pays du représentant fiscal du vendeur",
    "BT-71": "Identifiant du lieu de livraison",
    "BT-72": "Date de livraison effective",
    "BT-73": "Date de début de la période de facturation",
    "BT-74": "Date de fin de la période de facturation",
    "BT-80": "Code pays de livraison",
    "BT-81": "Code du moyen de paiement",
    "BT-84": "Identifiant du compte de paiement (IBAN)",
    "BT-86": "Identifiant du prestataire de services de paiement (BIC)",
    "BT-87": "Numéro de carte de paiement",
    "BT-92": "Montant de la remise au niveau du document",
    "BT-93": "Montant de base de la remise au niveau du document",
    "BT-95": "Code de catégorie de TVA de la remise au niveau du document",
    "BT-96": "Taux de TVA de la remise au niveau du document",
    "BT-97": "Motif de la remise au niveau du document",
    "BT-98": "Code du motif de la remise au niveau du document",
    "BT-99": "Montant des frais au niveau du document",
    "BT-100": "Montant de base des frais au niveau du document",
    "BT-102": "Code de catégorie de TVA des frais au niveau du document",
    "BT-103": "Taux de TVA des frais au niveau du document",
    "BT-104": "Motif des frais au niveau du document",
    "BT-105": "Code du motif des frais au niveau du document",
    "BT-106": "Somme des montants nets des lignes",
    "BT-107": "Somme des remises au niveau du document",
    "BT-108": "Somme des frais au niveau du document",
    "BT-109": "Montant total HT",
    "BT-110": "Montant total de la TVA",
    "BT-111": "Montant total de la TVA en devise de comptabilisation",
    "BT-112": "Montant total TTC",
    "BT-113": "Montant déjà payé",
    "BT-114": "Montant d'arrondi",
    "BT-115": "Montant net à payer",
    "BT-116": "Base d'imposition de la catégorie de TVA",
    "BT-117": "Montant de TVA de la catégorie",
    "BT-118": "Code de catégorie de TVA",
    "BT-119": "Taux de TVA de la catégorie",
    "BT-120": "Motif d'exonération de TVA",
    "BT-121": "Code du motif d'exonération de TVA",
    "BT-122": "Référence du document justificatif",
    "BT-125": "Pièce jointe",
    "BT-126": "Identifiant de ligne de facture",
    "BT-129": "Quantité facturée",
    "BT-130": "Code de l'unité de mesure",
    "BT-131": "Montant net de la ligne",
    "BT-134": "Date de début de la période de la ligne",
    "BT-135": "Date de fin de la période de la ligne",
    "BT-136": "Montant de la remise sur la ligne",
    "BT-137": "Montant de base de la remise sur la ligne",
    "BT-139": "Motif de la remise sur la ligne",
    "BT-140": "Code du motif de la remise sur la ligne",
    "BT-141": "Montant des frais sur la ligne",
    "BT-142": "Montant de base des frais sur la ligne",
    "BT-144": "Motif des frais sur la ligne",
    "BT-145": "Code du motif des frais sur la ligne",
    "BT-146": "Prix net de l'article",
    "BT-148": "Prix brut de l'article",
    "BT-151": "Code de catégorie de TVA de l'article",
    "BT-152": "Taux de TVA de l'article",
    "BT-153": "Nom de l'article",
    "BT-157": "Identifiant standard de l'article",
    "BT-158": "Identifiant de classification de l'article",
    "BT-159": "Pays d'origine de l'article",
    "BT-160": "Nom de l'attribut de l'article",
    "BG-5": "Adresse postale du vendeur",
    "BG-8": "Adresse postale de l'acheteur",
    "BG-12": "Adresse postale du représentant fiscal",
    "BG-14": "Période de facturation",
    "BG-23": "Ventilation de la TVA",
    "BG-25": "Ligne de facture",
    "BG-26": "Période de facturation de la ligne",
}


def _r(terme: str, message: str) -> tuple[str, str, str]:
    return terme, TERMES[terme], message


REGLES: dict[str, tuple[str, str, str]] = {
    # --- mandatory information (BR-01..BR-65) ---
    "BR-01": _r("BT-24", "La facture doit indiquer l'identifiant de spécification (cadre de facturation EN 16931)."),
    "BR-02": _r("BT-1", "La facture doit porter un numéro de facture."),
    "BR-03": _r("BT-2", "La facture doit indiquer sa date d'émission."),
    "BR-04": _r("BT-3", "La facture doit indiquer son code de type (380 facture, 381 avoir...)."),
    "BR-05": _r("BT-5", "La facture doit indiquer le code de sa devise (EUR...)."),
    "BR-06": _r("BT-27", "La facture doit indiquer la raison sociale du fournisseur."),
    "BR-07": _r("BT-44", "La facture doit indiquer la raison sociale du destinataire."),
    "BR-08": _r("BG-5", "La facture doit indiquer l'adresse postale du fournisseur."),
    "BR-09": _r("BT-40", "L'adresse postale du fournisseur doit comporter un code pays."),
    "BR-10": _r("BG-8", "La facture doit indiquer l'adresse postale du destinataire."),
    "BR-11": _r("BT-55", "L'adresse postale du destinataire doit comporter un code pays."),
    "BR-12": _r("BT-106", "La facture doit indiquer la somme des montants nets des lignes."),
    "BR-13": _r("BT-109", "La facture doit indiquer le montant total hors taxes."),
    "BR-14": _r("BT-112", "La facture doit indiquer le montant total toutes taxes comprises."),
    "BR-15": _r("BT-115", "La facture doit indiquer le montant net à payer."),
    "BR-16": _r("BG-25", "La facture doit comporter au moins une ligne."),
    "BR-17": _r("BT-59", "Le nom du bénéficiaire du paiement doit être indiqué lorsqu'il diffère du fournisseur."),
    "BR-18": _r("BT-62", "Le nom du représentant fiscal du vendeur doit être indiqué."),
    "BR-19": _r("BG-12", "L'adresse postale du représentant fiscal du vendeur doit être indiquée."),
    "BR-20": _r("BT-69", "L'adresse du représentant fiscal du vendeur doit comporter un code pays."),
    "BR-21": _r("BT-126", "Chaque ligne de facture doit avoir un identifiant."),
    "BR-22": _r("BT-129", "Chaque ligne de facture doit indiquer une quantité facturée."),
    "BR-23": _r("BT-130", "Chaque ligne de facture doit indiquer l'unité de mesure de la quantité."),
    "BR-24": _r("BT-131", "Chaque ligne de facture doit indiquer son montant net."),
    "BR-25": _r("BT-153", "Chaque ligne de facture doit indiquer le nom de l'article."),
    "BR-26": _r("BT-146", "Chaque ligne de facture doit indiquer le prix net de l'article."),
    "BR-27": _r("BT-146", "Le prix net de l'article ne doit pas être négatif."),
    "BR-28": _r("BT-148", "Le prix brut de l'article ne doit pas être négatif."),
    "BR-29": _r(
        "BT-74", "La date de fin de la période de facturation doit être postérieure ou égale à sa date de début."
    ),
    "BR-30": _r(
        "BT-135", "La date de fin de la période de la ligne doit être postérieure ou égale à sa date de début."
    ),
    "BR-31": _r("BT-92", "Chaque remise au niveau du document doit indiquer son montant."),
    "BR-32": _r("BT-95", "Chaque remise au niveau du document doit indiquer sa catégorie de TVA."),
    "BR-33": _r("BT-97", "Chaque remise au niveau du document doit indiquer un motif ou un code de motif."),
    "BR-36": _r("BT-99", "Chaque frais au niveau du document doit indiquer son montant."),
    "BR-37": _r("BT-102", "Chaque frais au niveau du document doit indiquer sa catégorie de TVA."),
    "BR-38": _r("BT-104", "Chaque frais au niveau du document doit indiquer un motif ou un code de motif."),
    "BR-41": _r("BT-136", "Chaque remise sur une ligne doit indiquer son montant."),
    "BR-42": _r("BT-139", "Chaque remise sur une ligne doit indiquer un motif ou un code de motif."),
    "BR-43": _r("BT-141", "Chaque frais sur une ligne doit indiquer son montant."),
    "BR-44": _r("BT-144", "Chaque frais sur une ligne doit indiquer un motif ou un code de motif."),
    "BR-45": _r("BT-116", "Chaque ventilation de TVA doit indiquer la base d'imposition."),
    "BR-46": _r("BT-117", "Chaque ventilation de TVA doit indiquer le montant de TVA."),
    "BR-47": _r("BT-118", "Chaque ventilation de TVA doit indiquer le code de catégorie de TVA."),
    "BR-48": _r("BT-119", "Chaque ventilation de TVA doit indiquer le taux de TVA (sauf catégorie O, hors champ)."),
    "BR-49": _r("BT-81", "Les instructions de paiement doivent indiquer le code du moyen de paiement."),
    "BR-50": _r("BT-84", "Le compte de paiement (IBAN) doit être indiqué pour un paiement par virement."),
    "BR-51": _r("BT-87", "Seuls les 4 à 6 derniers chiffres du numéro de carte de paiement peuvent être indiqués."),
    "BR-52": _r("BT-122", "Chaque document justificatif doit avoir une référence."),
    "BR-53": _r("BT-111", "Le montant total de TVA en devise de comptabilisation doit être indiqué."),
    "BR-54": _r("BT-160", "Chaque attribut d'article doit avoir un nom et une valeur."),
    "BR-55": _r("BT-25", "Chaque référence à une facture antérieure doit indiquer le numéro de cette facture."),
    "BR-56": _r("BT-63", "Le représentant fiscal du vendeur doit avoir un numéro de TVA."),
    "BR-57": _r("BT-80", "L'adresse de livraison doit comporter un code pays."),
    "BR-61": _r("BT-84", "Pour un paiement par virement, l'identifiant du compte de paiement (IBAN) est obligatoire."),
    "BR-62": _r("BT-34", "L'adresse électronique du vendeur doit indiquer son schéma d'identification."),
    "BR-63": _r("BT-49", "L'adresse électronique de l'acheteur doit indiquer son schéma d'identification."),
    "BR-64": _r("BT-157", "L'identifiant standard de l'article doit indiquer son schéma d'identification."),
    "BR-65": _r("BT-158", "L'identifiant de classification de l'article doit indiquer son schéma."),
    # --- conditions and totals (BR-CO) ---
    "BR-CO-03": _r("BT-7", "La date d'exigibilité de la TVA et son code ne peuvent pas être indiqués ensemble."),
    "BR-CO-04": _r("BT-151", "Chaque ligne de facture doit indiquer la catégorie de TVA de l'article."),
    "BR-CO-05": _r("BT-98", "Le code et le libellé du motif de la remise au niveau du document doivent concorder."),
    "BR-CO-06": _r("BT-105", "Le code et le libellé du motif des frais au niveau du document doivent concorder."),
    "BR-CO-07": _r("BT-140", "Le code et le libellé du motif de la remise sur la ligne doivent concorder."),
    "BR-CO-08": _r("BT-145", "Le code et le libellé du motif des frais sur la ligne doivent concorder."),
    "BR-CO-09": _r(
        "BT-31", "Les numéros de TVA doivent commencer par le code pays ISO 3166-1 alpha-2 (FR pour la France)."
    ),
    "BR-CO-10": _r("BT-106", "Le total des lignes HT doit être égal à la somme des montants nets des lignes (BT-131)."),
    "BR-CO-11": _r(
        "BT-107", "La somme des remises au niveau du document doit être égale au total des remises (BT-92)."
    ),
    "BR-CO-12": _r("BT-108", "La somme des frais au niveau du document doit être égale au total des frais (BT-99)."),
    "BR-CO-13": _r(
        "BT-109",
        "Le montant total HT doit être égal à la somme des montants nets des lignes (BT-131), "
        "moins les remises (BT-107), plus les frais au niveau du document (BT-108).",
    ),
    "BR-CO-14": _r(
        "BT-110", "Le montant total de la TVA doit être égal à la somme des montants de TVA par catégorie (BT-117)."
    ),
    "BR-CO-15": _r(
        "BT-112",
        "Le montant total TTC doit être égal au montant total HT (BT-109) plus le montant total de TVA (BT-110).",
    ),
    "BR-CO-16": _r(
        "BT-115",
        "Le montant net à payer doit être égal au montant total TTC (BT-112), moins le montant déjà payé (BT-113), "
        "plus l'arrondi (BT-114).",
    ),
    "BR-CO-17": _r(
        "BT-117",
        "Le montant de TVA d'une catégorie doit être égal à sa base d'imposition (BT-116) multipliée par son taux "
        "(BT-119), arrondi au centime.",
    ),
    "BR-CO-18": _r("BG-23", "La facture doit comporter au moins une ventilation de TVA."),
    "BR-CO-19": _r("BG-14", "La période de facturation doit indiquer une date de début ou une date de fin."),
    "BR-CO-20": _r("BG-26", "La période de facturation de la ligne doit indiquer une date de début ou de fin."),
    "BR-CO-21": _r("BT-97", "Chaque remise au niveau du document doit indiquer un motif ou un code de motif."),
    "BR-CO-22": _r("BT-104", "Chaque frais au niveau du document doit indiquer un motif ou un code de motif."),
    "BR-CO-23": _r("BT-139", "Chaque remise sur une ligne doit indiquer un motif ou un code de motif."),
    "BR-CO-24": _r("BT-144", "Chaque frais sur une ligne doit indiquer un motif ou un code de motif."),
    "BR-CO-25": _r(
        "BT-9", "Si le montant net à payer est positif, la date d'échéance ou les conditions de paiement sont requises."
    ),
    "BR-CO-26": _r(
        "BT-30",
        "Le vendeur doit être identifié par son identifiant (BT-29), son immatriculation légale (SIRET, BT-30) "
        "ou son numéro de TVA (BT-31).",
    ),
    # --- code lists (BR-CL) ---
    "BR-CL-01": _r("BT-3", "Le code de type de facture doit appartenir à la liste UNTDID 1001."),
    "BR-CL-03": _r("BT-5", "Le code devise d'un montant doit appartenir à la liste ISO 4217."),
    "BR-CL-04": _r("BT-5", "Le code de devise de la facture doit appartenir à la liste ISO 4217."),
    "BR-CL-05": _r("BT-6", "Le code de devise de comptabilisation de la TVA doit appartenir à la liste ISO 4217."),
    "BR-CL-06": _r("BT-8", "Le code de date d'exigibilité de la TVA doit appartenir à la liste UNTDID 2005."),
    "BR-CL-07": _r("BT-18", "Le schéma de l'identifiant d'objet doit appartenir à la liste UNTDID 1153."),
    "BR-CL-08": _r("BT-21", "Le code du sujet de la note doit appartenir à la liste UNTDID 4451."),
    "BR-CL-10": _r("BT-29", "Le schéma d'un identifiant doit appartenir à la liste ISO 6523 ICD (0009 pour un SIRET)."),
    "BR-CL-11": _r(
        "BT-30", "Le schéma d'un identifiant d'immatriculation doit appartenir à la liste ISO 6523 ICD (0009 : SIRET)."
    ),
    "BR-CL-13": _r("BT-158", "Le schéma de classification de l'article doit appartenir à la liste UNTDID 7143."),
    "BR-CL-14": _r("BT-40", "Le code pays doit appartenir à la liste ISO 3166-1 alpha-2 (FR pour la France)."),
    "BR-CL-15": _r("BT-159", "Le pays d'origine de l'article doit appartenir à la liste ISO 3166-1 alpha-2."),
    "BR-CL-16": _r("BT-81", "Le code du moyen de paiement doit appartenir à la liste UNTDID 4461 (30 : virement...)."),
    "BR-CL-17": _r(
        "BT-118", "Le code de catégorie de TVA doit appartenir à la liste UNCL 5305 (S, Z, E, AE, K, G, O...)."
    ),
    "BR-CL-18": _r(
        "BT-151", "Le code de catégorie de TVA doit appartenir à la liste UNCL 5305 (S, Z, E, AE, K, G, O...)."
    ),
    "BR-CL-19": _r("BT-98", "Le code du motif de remise doit appartenir à la liste UNTDID 5189."),
    "BR-CL-20": _r("BT-105", "Le code du motif de frais doit appartenir à la liste UNTDID 7161."),
    "BR-CL-21": _r(
        "BT-157", "Le schéma de l'identifiant standard de l'article doit appartenir à la liste ISO 6523 ICD."
    ),
    "BR-CL-22": _r("BT-121", "Le code du motif d'exonération de TVA doit appartenir à la liste VATEX du CEF."),
    "BR-CL-23": _r("BT-130", "Le code de l'unité de mesure doit appartenir aux recommandations 20 et 21 de l'UN/ECE."),
    "BR-CL-24": _r("BT-125", "Le type MIME de la pièce jointe n'est pas autorisé (PDF, PNG, JPEG, CSV, XLSX, ODS)."),
    "BR-CL-25": _r("BT-34", "Le schéma d'une adresse électronique doit appartenir à la liste EAS du CEF."),
    "BR-CL-26": _r("BT-71", "Le schéma de l'identifiant du lieu de livraison doit appartenir à la liste ISO 6523 ICD."),
}

# --- decimals (BR-DEC): at most two decimals for amounts ---
for _regle, _terme in {
    "BR-DEC-01": "BT-92", "BR-DEC-02": "BT-93", "BR-DEC-05": "BT-99", "BR-DEC-06": "BT-100",
    "BR-DEC-09": "BT-106", "BR-DEC-10": "BT-107", "BR-DEC-11": "BT-108", "BR-DEC-12": "BT-109",
    "BR-DEC-13": "BT-110", "BR-DEC-14": "BT-111", "BR-DEC-15": "BT-112", "BR-DEC-16": "BT-113",
    "BR-DEC-17": "BT-114", "BR-DEC-18": "BT-115", "BR-DEC-19": "BT-116", "BR-DEC-20": "BT-117",
    "BR-DEC-23": "BT-131", "BR-DEC-24": "BT-136", "BR-DEC-25": "BT-137", "BR-DEC-27": "BT-141",
    "BR-DEC-28": "BT-142",
}.items():  # fmt: skip
    REGLES[_regle] = _r(_terme, f"Le montant « {TERMES[_terme]} » ne doit pas comporter plus de deux décimales.")

# --- VAT categories: S standard, Z taux zéro, E exonérée, AE autoliquidation, IC livraison intracommunautaire
# (K), G exportation hors UE. The rules 01..10 have the same shape for each category. ---
_CATEGORIES = {
    "S": ("S", "taux normal"),
    "Z": ("Z", "taux zéro"),
    "E": ("E", "exonérée"),
    "AE": ("AE", "autoliquidation"),
    "IC": ("K", "livraison intracommunautaire"),
    "G": ("G", "exportation hors UE"),
    "AF": ("L", "IGIC, îles Canaries"),
    "AG": ("M", "IPSI, Ceuta et Melilla"),
}
for _famille, (_code, _nom) in _CATEGORIES.items():
    _cat = f"catégorie de TVA {_code} ({_nom})"
    _tva = "BT-48" if _famille in ("AE", "IC") else "BT-31"
    _qui = (
        "le numéro de TVA du vendeur (BT-31) et celui de l'acheteur (BT-48) ou son immatriculation (BT-47)"
        if _famille in ("AE", "IC")
        else "le numéro de TVA du vendeur (BT-31) ou de son représentant fiscal (BT-63)"
    )
    _taux = {"S": "strictement positif", "AF": "positif ou nul", "AG": "positif ou nul"}.get(_famille, "égal à 0")
    _proportionnel = _famille in ("S", "AF", "AG")
    REGLES[f"BR-{_famille}-01"] = _r(
        "BT-118", f"Une facture comportant la {_cat} doit en présenter la ventilation de TVA (BG-23)."
    )
    REGLES[f"BR-{_famille}-02"] = _r(_tva, f"Une ligne de {_cat} exige {_qui}.")
    REGLES[f"BR-{_famille}-03"] = _r(_tva, f"Une remise au niveau du document de {_cat} exige {_qui}.")
    REGLES[f"BR-{_famille}-04"] = _r(_tva, f"Des frais au niveau du document de {_cat} exigent {_qui}.")
    REGLES[f"BR-{_famille}-05"] = _r("BT-152", f"Le taux de TVA d'une ligne de {_cat} doit être {_taux}.")
    REGLES[f"BR-{_famille}-06"] = _r("BT-96", f"Le taux de TVA d'une remise de {_cat} doit être {_taux}.")
    REGLES[f"BR-{_famille}-07"] = _r("BT-103", f"Le taux de TVA de frais de {_cat} doit être {_taux}.")
    REGLES[f"BR-{_famille}-08"] = _r(
        "BT-116",
        f"La base d'imposition de la {_cat} doit être égale à la somme des montants nets des lignes (BT-131) "
        "de cette catégorie et de ce taux, moins les remises et plus les frais au niveau du document.",
    )
    REGLES[f"BR-{_famille}-09"] = _r(
        "BT-117",
        f"Le montant de TVA de la {_cat} doit être égal à la base d'imposition (BT-116) multipliée par le taux "
        "(BT-119), arrondi au centime."
        if _proportionnel
        else f"Le montant de TVA de la {_cat} doit être égal à 0.",
    )
    REGLES[f"BR-{_famille}-10"] = _r(
        "BT-120",
        f"La ventilation de la {_cat} ne doit pas comporter de motif d'exonération (BT-120, BT-121)."
        if _famille in ("S", "Z", "AF", "AG")
        else f"La ventilation de la {_cat} doit indiquer un motif d'exonération (BT-120) ou son code (BT-121).",
    )
REGLES["BR-IC-11"] = _r(
    "BT-72", "Une livraison intracommunautaire exige la date de livraison ou la période de facturation."
)
REGLES["BR-IC-12"] = _r("BT-80", "Une livraison intracommunautaire exige le code pays de livraison.")

# Catégorie O (hors champ de la TVA)
_O = "catégorie de TVA O (hors champ de la TVA)"
REGLES.update(
    {
        "BR-O-01": _r(
            "BT-118", f"Une facture comportant la {_O} doit en présenter exactement une ventilation (BG-23)."
        ),
        "BR-O-02": _r("BT-31", f"Une ligne de {_O} ne doit porter aucun numéro de TVA du vendeur ni de l'acheteur."),
        "BR-O-03": _r("BT-31", f"Une remise de {_O} ne doit porter aucun numéro de TVA du vendeur ni de l'acheteur."),
        "BR-O-04": _r("BT-31", f"Des frais de {_O} ne doivent porter aucun numéro de TVA du vendeur ni de l'acheteur."),
        "BR-O-05": _r("BT-152", f"Une ligne de {_O} ne doit pas indiquer de taux de TVA."),
        "BR-O-06": _r("BT-96", f"Une remise de {_O} ne doit pas indiquer de taux de TVA."),
        "BR-O-07": _r("BT-103", f"Des frais de {_O} ne doivent pas indiquer de taux de TVA."),
        "BR-O-08": _r(
            "BT-116",
            f"La base d'imposition de la {_O} doit être égale à la somme des montants nets des lignes de cette "
            "catégorie, moins les remises et plus les frais au niveau du document.",
        ),
        "BR-O-09": _r("BT-117", f"Le montant de TVA de la {_O} doit être égal à 0."),
        "BR-O-10": _r("BT-120", f"La ventilation de la {_O} doit indiquer un motif d'exonération ou son code."),
        "BR-O-11": _r("BT-118", f"Une facture de {_O} ne peut pas comporter d'autre catégorie de TVA."),
        "BR-O-12": _r("BT-151", f"Une facture de {_O} ne peut pas comporter de ligne d'une autre catégorie."),
        "BR-O-13": _r("BT-95", f"Une facture de {_O} ne peut pas comporter de remise d'une autre catégorie."),
        "BR-O-14": _r("BT-102", f"Une facture de {_O} ne peut pas comporter de frais d'une autre catégorie."),
    }
)

# Split payment (Italy)
REGLES["BR-B-01"] = _r("BT-118", "Le paiement fractionné (catégorie B) n'est possible que pour une facture italienne.")
REGLES["BR-B-02"] = _r(
    "BT-118", "Une facture en paiement fractionné (catégorie B) ne peut pas comporter la catégorie S."
)

# Rules whose expected value is recomputed from the document (see facturation.en16931).
REGLES_MONTANTS = {
    "BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-14", "BR-CO-15", "BR-CO-16", "BR-CO-17",
    "BR-S-08", "BR-S-09", "BR-Z-08", "BR-Z-09", "BR-E-08", "BR-E-09", "BR-AE-08", "BR-AE-09",
    "BR-IC-08", "BR-IC-09", "BR-G-08", "BR-G-09", "BR-O-08", "BR-O-09", "BR-AF-08", "BR-AF-09", "BR-AG-08",
    "BR-AG-09",
}  # fmt: skip


def normaliser(identifiant: str) -> str:
    """``BR-CO-3`` → ``BR-CO-03``, ``BR-1`` → ``BR-01``, ``br-s-8`` → ``BR-S-08`` (the schematron's spelling)."""
    identifiant = identifiant.strip().upper()
    return re.sub(r"^(BR-(?:[A-Z]+-)?)(\d)$", r"\g<1>0\g<2>", identifiant)


def regle(identifiant: str) -> tuple[str, str, str] | None:
    """``(terme, libellé, message)`` of a rule, or ``None`` when the table does not know it."""
    return REGLES.get(normaliser(identifiant))
