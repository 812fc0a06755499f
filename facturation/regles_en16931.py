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
    "BT-23": "Type de processus métier",
    "BT-41": "Point de contact du vendeur",
    "BT-50": "Adresse de l'acheteur - ligne 1",
    "BT-52": "Ville de l'acheteur",
    "BT-53": "Code postal de l'acheteur",
    "BT-56": "Point de contact de l'acheteur",
    "BT-82": "Texte du moyen de paiement",
    "BT-83": "Avis de paiement (référence du paiement)",
    "BT-123": "Description du document justificatif",
    "BT-127": "Note de la ligne de facture",
    "BT-149": "Quantité de base du prix de l'article",
    "BT-161": "Valeur de l'attribut de l'article",
    "BG-1": "Note de facture",
    "BG-2": "Contrôle du processus",
    "BG-4": "Vendeur",
    "BG-5": "Adresse postale du vendeur",
    "BG-7": "Acheteur",
    "BG-8": "Adresse postale de l'acheteur",
    "BG-12": "Adresse postale du représentant fiscal",
    "BG-13": "Informations de livraison",
    "BG-14": "Période de facturation",
    "BG-16": "Instructions de paiement",
    "BG-20": "Remise au niveau du document",
    "BG-21": "Frais au niveau du document",
    "BG-22": "Totaux du document",
    "BG-23": "Ventilation de la TVA",
    "BG-25": "Ligne de facture",
    "BG-26": "Période de facturation de la ligne",
    "BG-28": "Frais sur la ligne",
    "BG-29": "Informations sur le prix",
    "BG-31": "Informations sur l'article",
    "BG-32": "Attributs de l'article",
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
    "BR-DEC-01": "BT-92",
    "BR-DEC-02": "BT-93",
    "BR-DEC-05": "BT-99",
    "BR-DEC-06": "BT-100",
    "BR-DEC-09": "BT-106",
    "BR-DEC-10": "BT-107",
    "BR-DEC-11": "BT-108",
    "BR-DEC-12": "BT-109",
    "BR-DEC-13": "BT-110",
    "BR-DEC-14": "BT-111",
    "BR-DEC-15": "BT-112",
    "BR-DEC-16": "BT-113",
    "BR-DEC-17": "BT-114",
    "BR-DEC-18": "BT-115",
    "BR-DEC-19": "BT-116",
    "BR-DEC-20": "BT-117",
    "BR-DEC-23": "BT-131",
    "BR-DEC-24": "BT-136",
    "BR-DEC-25": "BT-137",
    "BR-DEC-27": "BT-141",
    "BR-DEC-28": "BT-142",
}.items():
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

# --- rules of the Factur-X profile schematrons (MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED) that are not CEN
# rules: the CII syntax rules (CII-SR), a few Factur-X rules and the EXTENDED profile's own rules (BR-FXEXT). The
# profile schematrons reuse the CEN ids above for the CEN rules; those are worded once, above. ---
REGLES.update(
    {
        "BR-CO-27": _r(
            "BT-84",
            "Le compte de paiement doit être identifié soit par son IBAN, soit par un identifiant propriétaire.",
        ),
        "BR-FX-EN-04": _r(
            "BT-72",
            "Une facture qui n'est pas une facture d'acompte (code 386) doit indiquer la date de livraison (BT-72), "
            "la période de facturation (BG-14) ou la période de chaque ligne (BG-26) ; sans date de livraison, le "
            "code pays de livraison (BT-80) est obligatoire.",
        ),
        "CII-DT-097": _r("BT-2", "Une date au format 102 doit s'écrire AAAAMMJJ (par exemple 20260131)."),
        "PEPPOL-EN16931-R008": _r("BG-1", "Le document ne doit pas contenir d'élément vide."),
        "CII-SR-463": _r(
            "BG-20",
            "Chaque remise ou frais au niveau du document doit indiquer s'il s'agit de frais ou d'une remise "
            "(ChargeIndicator).",
        ),
        "CII-SR-464": _r(
            "BT-86",
            "L'identifiant du prestataire de services de paiement (BIC) ne peut figurer qu'une fois dans la facture.",
        ),
        "CII-SR-465": _r("BT-41", "Le point de contact du vendeur ne peut figurer qu'une fois dans la facture."),
        "CII-SR-466": _r("BT-56", "Le point de contact de l'acheteur ne peut figurer qu'une fois dans la facture."),
        "CII-SR-467": _r("BT-81", "Tous les moyens de paiement doivent porter le même code de moyen de paiement."),
        "CII-SR-468": _r("BT-82", "Tous les moyens de paiement doivent porter le même texte de moyen de paiement."),
        "CII-SR-469": _r("BT-83", "La référence du paiement ne peut figurer qu'une fois dans la facture."),
        "CII-SR-470": _r(
            "BT-84",
            "Le compte de paiement doit être identifié soit par son IBAN, soit par un identifiant propriétaire.",
        ),
        "CII-SR-471": _r("BT-95", "Chaque remise ou frais au niveau du document doit indiquer sa catégorie de TVA."),
        "CII-SR-472": _r("BT-96", "Chaque remise ou frais au niveau du document devrait indiquer son taux de TVA."),
        "CII-SR-473": _r("BT-92", "Le montant d'une remise ou de frais ne peut figurer qu'une fois."),
        "CII-SR-474": _r(
            "BG-25", "Une ligne de facture ne peut pas référencer plus d'un objet facturé (document de type 130)."
        ),
        "CII-SR-475": _r("BT-123", "Un document justificatif de type 916 ne peut avoir qu'une seule description."),
        "CII-SR-476": _r("BT-125", "Un document justificatif de type 916 ne peut avoir qu'une seule pièce jointe."),
        # EXTENDED: lines can be sub-totals (GROUP) or information (INFORMATION); the CEN rules on lines then
        # only apply to the detail lines (DETAIL, or no subtype), and the totals are checked with a rounding tolerance.
        "BR-FXEXT-01": _r(
            "BT-21",
            "Si le code du sujet de la note est indiqué, la note (BT-22) ou sa version codée doit l'être aussi.",
        ),
        "BR-FXEXT-02": _r(
            "BT-127",
            "Si le code du sujet de la note de ligne est indiqué, la note de ligne ou sa version codée doit "
            "l'être aussi.",
        ),
        "BR-FXEXT-03": _r(
            "BT-48",
            "Pour ces intervenants secondaires (livré à, agent commercial...), seul un numéro de TVA peut "
            "être indiqué comme identifiant fiscal.",
        ),
        "BR-FXEXT-04": _r(
            "BT-160",
            "Les attributs d'article devraient utiliser les codes de la liste UNTDED 6313 complétée par Factur-X.",
        ),
        "BR-FXEXT-06": _r(
            "BG-25",
            "Une ligne qui désigne une ligne parente doit indiquer son sous-type (GROUP, DETAIL ou INFORMATION).",
        ),
        "BR-FXEXT-08": _r(
            "BT-131",
            "Le montant net d'une ligne de sous-total (GROUP) doit être égal à la somme des montants nets de ses "
            "lignes de détail.",
        ),
        "BR-FXEXT-11": _r(
            "BT-126", "Chaque identifiant de ligne parente doit désigner une ligne existante de la facture."
        ),
        "BR-FXEXT-12": _r(
            "BT-131",
            "Si une ligne de sous-total (GROUP) indique un montant net, ses sous-totaux inférieurs doivent en "
            "indiquer un aussi.",
        ),
        "BR-FXEXT-BR-22": _r("BT-129", "Chaque ligne de détail doit indiquer une quantité facturée."),
        "BR-FXEXT-BR-23": _r("BT-130", "Chaque ligne de détail doit indiquer l'unité de mesure de la quantité."),
        "BR-FXEXT-BR-24": _r("BT-131", "Chaque ligne de détail doit indiquer son montant net."),
        "BR-FXEXT-BR-26": _r("BT-146", "Chaque ligne de détail doit indiquer le prix net de l'article."),
        "BR-FXEXT-BR-38": _r(
            "BT-104", "Chaque frais au niveau du document doit indiquer un motif, un code de motif ou un code de taxe."
        ),
        "BR-FXEXT-BR-44": _r(
            "BT-144", "Chaque frais sur une ligne doit indiquer un motif, un code de motif ou un code de taxe."
        ),
        "BR-FXEXT-BR-54-1": _r("BT-160", "Chaque attribut d'article doit avoir un nom ou un code."),
        "BR-FXEXT-BR-54-2": _r(
            "BT-161", "Chaque attribut d'article doit avoir une valeur, ou une valeur avec unité, mais pas les deux."
        ),
        "BR-FXEXT-CO-04": _r("BT-151", "Chaque ligne de détail doit indiquer la catégorie de TVA de l'article."),
        "BR-FXEXT-CII-DT-097A": _r("BT-2", "Une date et heure au format 205 doit s'écrire AAAAMMJJHHMMSS."),
    }
)
_TOLERANCE = ", à la tolérance d'arrondi près (un centime par montant additionné)."
for _numero in ("10", "11", "12", "13", "15", "16"):
    _terme, _libelle, _texte = REGLES[f"BR-CO-{_numero}"]
    REGLES[f"BR-FXEXT-CO-{_numero}"] = (_terme, _libelle, _texte.rstrip(".") + _TOLERANCE)
for _famille in (*_CATEGORIES, "O"):
    _terme, _libelle, _texte = REGLES[f"BR-{_famille}-01"]
    REGLES[f"BR-FXEXT-{_famille}-01"] = (_terme, _libelle, _texte.rstrip(".") + " (lignes de détail comprises).")
    _terme, _libelle, _texte = REGLES[f"BR-{_famille}-08"]
    for _suffixe in ("08", "08B", "08INI", "08REV"):  # keys as normaliser() writes them (upper case)
        REGLES[f"BR-FXEXT-{_famille}-{_suffixe}"] = (_terme, _libelle, _texte.rstrip(".") + _TOLERANCE)
REGLES["BR-FXEXT-S08B"] = REGLES["BR-FXEXT-S-08B"]
_terme, _libelle, _texte = REGLES["BR-S-09"]
REGLES["BR-FXEXT-S-09B"] = (_terme, _libelle, _texte.rstrip(".") + _TOLERANCE)

# Rules whose expected value is recomputed from the document (see facturation.en16931).
REGLES_MONTANTS = {
    "BR-CO-10",
    "BR-CO-11",
    "BR-CO-12",
    "BR-CO-13",
    "BR-CO-14",
    "BR-CO-15",
    "BR-CO-16",
    "BR-CO-17",
    "BR-S-08",
    "BR-S-09",
    "BR-Z-08",
    "BR-Z-09",
    "BR-E-08",
    "BR-E-09",
    "BR-AE-08",
    "BR-AE-09",
    "BR-IC-08",
    "BR-IC-09",
    "BR-G-08",
    "BR-G-09",
    "BR-O-08",
    "BR-O-09",
    "BR-AF-08",
    "BR-AF-09",
    "BR-AG-08",
    "BR-AG-09",
}


def normaliser(identifiant: str) -> str:
    """``BR-CO-3`` → ``BR-CO-03``, ``BR-1`` → ``BR-01``, ``br-s-8`` → ``BR-S-08`` (the schematron's spelling)."""
    identifiant = identifiant.strip().upper()
    return re.sub(r"^(BR-(?:[A-Z]+-)?)(\d)$", r"\g<1>0\g<2>", identifiant)


def regle(identifiant: str) -> tuple[str, str, str] | None:
    """``(terme, libellé, message)`` of a rule, or ``None`` when the table does not know it."""
    return REGLES.get(normaliser(identifiant))


# --- business term of an element, from its path ---------------------------------------------------------------
# The XSD errors and the generic profile rules (« Element 'ram:X' must occur exactly 1 times ») name an element,
# not a business term: the term is found from the element's path, written with the usual prefixes (rsm, ram, udt
# for CII; cac, cbc for UBL, whose root is written ``ubl:Invoice``). The longest matching path suffix wins, so
# that ``ApplicableHeaderTradeSettlement/ApplicableTradeTax/CategoryCode`` (BT-118) is not taken for the line's
# ``SpecifiedLineTradeSettlement/ApplicableTradeTax/CategoryCode`` (BT-151).
_PARTIES_CII = {
    "ram:SellerTradeParty": {
        "": "BG-4",
        "ram:Name": "BT-27",
        "ram:ID": "BT-29",
        "ram:GlobalID": "BT-29",
        "ram:SpecifiedLegalOrganization/ram:ID": "BT-30",
        "ram:SpecifiedTaxRegistration/ram:ID": "BT-31",
        "ram:URIUniversalCommunication/ram:URIID": "BT-34",
        "ram:PostalTradeAddress": "BG-5",
        "ram:PostalTradeAddress/ram:LineOne": "BT-35",
        "ram:PostalTradeAddress/ram:CityName": "BT-37",
        "ram:PostalTradeAddress/ram:PostcodeCode": "BT-38",
        "ram:PostalTradeAddress/ram:CountryID": "BT-40",
        "ram:DefinedTradeContact": "BT-41",
    },
    "ram:BuyerTradeParty": {
        "": "BG-7",
        "ram:Name": "BT-44",
        "ram:ID": "BT-46",
        "ram:GlobalID": "BT-46",
        "ram:SpecifiedLegalOrganization/ram:ID": "BT-47",
        "ram:SpecifiedTaxRegistration/ram:ID": "BT-48",
        "ram:URIUniversalCommunication/ram:URIID": "BT-49",
        "ram:PostalTradeAddress": "BG-8",
        "ram:PostalTradeAddress/ram:LineOne": "BT-50",
        "ram:PostalTradeAddress/ram:CityName": "BT-52",
        "ram:PostalTradeAddress/ram:PostcodeCode": "BT-53",
        "ram:PostalTradeAddress/ram:CountryID": "BT-55",
        "ram:DefinedTradeContact": "BT-56",
    },
    "ram:SellerTaxRepresentativeTradeParty": {
        "ram:Name": "BT-62",
        "ram:SpecifiedTaxRegistration/ram:ID": "BT-63",
        "ram:PostalTradeAddress": "BG-12",
        "ram:PostalTradeAddress/ram:CountryID": "BT-69",
    },
    "ram:PayeeTradeParty": {"ram:Name": "BT-59"},
}
_DATE = "/udt:DateTimeString"
CHEMINS_TERMES = {
    "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID": "BT-24",
    "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter": "BT-24",
    "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID": "BT-23",
    "rsm:ExchangedDocumentContext": "BG-2",
    "rsm:ExchangedDocument/ram:ID": "BT-1",
    "rsm:ExchangedDocument/ram:TypeCode": "BT-3",
    "rsm:ExchangedDocument/ram:IssueDateTime": "BT-2",
    "rsm:ExchangedDocument/ram:IssueDateTime" + _DATE: "BT-2",
    "rsm:ExchangedDocument/ram:IncludedNote": "BG-1",
    "rsm:ExchangedDocument/ram:IncludedNote/ram:Content": "BT-22",
    "rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode": "BT-21",
    "ram:ApplicableHeaderTradeAgreement/ram:BuyerReference": "BT-10",
    "ram:ApplicableHeaderTradeAgreement/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID": "BT-13",
    "ram:ApplicableHeaderTradeAgreement/ram:ContractReferencedDocument/ram:IssuerAssignedID": "BT-12",
    "ram:ApplicableHeaderTradeDelivery": "BG-13",
    "ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime" + _DATE: "BT-72",
    "ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID": "BT-80",
    "ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode": "BT-5",
    "ram:ApplicableHeaderTradeSettlement/ram:TaxCurrencyCode": "BT-6",
    "ram:ApplicableHeaderTradeSettlement/ram:PaymentReference": "BT-83",
    "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementPaymentMeans": "BG-16",
    "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode": "BT-81",
    "ram:SpecifiedTradeSettlementPaymentMeans/ram:Information": "BT-82",
    "ram:PayeePartyCreditorFinancialAccount/ram:IBANID": "BT-84",
    "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID": "BT-84",
    "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID": "BT-86",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax": "BG-23",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount": "BT-117",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount": "BT-116",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode": "BT-118",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent": "BT-119",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason": "BT-120",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode": "BT-121",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:DueDateTypeCode": "BT-8",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString": "BT-7",
    "ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod": "BG-14",
    "ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime" + _DATE: "BT-73",
    "ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime" + _DATE: "BT-74",
    "ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument/ram:IssuerAssignedID": "BT-25",
    "ram:SpecifiedTradePaymentTerms/ram:Description": "BT-20",
    "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime" + _DATE: "BT-9",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation": "BG-22",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount": "BT-106",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:AllowanceTotalAmount": "BT-107",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:ChargeTotalAmount": "BT-108",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxBasisTotalAmount": "BT-109",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount": "BT-110",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount": "BT-112",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TotalPrepaidAmount": "BT-113",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:RoundingAmount": "BT-114",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount": "BT-115",
    "ram:IncludedSupplyChainTradeLineItem": "BG-25",
    "ram:IncludedSupplyChainTradeLineItem/ram:AssociatedDocumentLineDocument/ram:LineID": "BT-126",
    "ram:IncludedSupplyChainTradeLineItem/ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content": "BT-127",
    "ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct": "BG-31",
    "ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct/ram:Name": "BT-153",
    "ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct/ram:GlobalID": "BT-157",
    "ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeAgreement": "BG-29",
    "ram:NetPriceProductTradePrice/ram:ChargeAmount": "BT-146",
    "ram:NetPriceProductTradePrice/ram:BasisQuantity": "BT-149",
    "ram:GrossPriceProductTradePrice/ram:ChargeAmount": "BT-148",
    "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity": "BT-129",
    "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode": "BT-151",
    "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent": "BT-152",
    "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod": "BG-26",
    "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime" + _DATE: "BT-134",
    "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime" + _DATE: "BT-135",
    "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount": "BT-131",
    # UBL 2.1 (the root of an Invoice or a CreditNote is written ubl:Invoice)
    "ubl:Invoice/cbc:CustomizationID": "BT-24",
    "ubl:Invoice/cbc:ProfileID": "BT-23",
    "ubl:Invoice/cbc:ID": "BT-1",
    "ubl:Invoice/cbc:IssueDate": "BT-2",
    "ubl:Invoice/cbc:DueDate": "BT-9",
    "ubl:Invoice/cbc:InvoiceTypeCode": "BT-3",
    "ubl:Invoice/cbc:CreditNoteTypeCode": "BT-3",
    "ubl:Invoice/cbc:Note": "BT-22",
    "ubl:Invoice/cbc:TaxPointDate": "BT-7",
    "ubl:Invoice/cbc:DocumentCurrencyCode": "BT-5",
    "ubl:Invoice/cbc:TaxCurrencyCode": "BT-6",
    "ubl:Invoice/cbc:BuyerReference": "BT-10",
    "ubl:Invoice/cac:OrderReference/cbc:ID": "BT-13",
    "ubl:Invoice/cac:ContractDocumentReference/cbc:ID": "BT-12",
    "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName": "BT-27",
    "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID": "BT-30",
    "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID": "BT-31",
    "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress": "BG-5",
    "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode": "BT-40",
    "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName": "BT-44",
    "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID": "BT-47",
    "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID": "BT-48",
    "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress": "BG-8",
    "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode": "BT-55",
    "cac:PaymentMeans/cbc:PaymentMeansCode": "BT-81",
    "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID": "BT-84",
    "ubl:Invoice/cac:TaxTotal/cbc:TaxAmount": "BT-110",
    "cac:TaxSubtotal": "BG-23",
    "cac:TaxSubtotal/cbc:TaxableAmount": "BT-116",
    "cac:TaxSubtotal/cbc:TaxAmount": "BT-117",
    "cac:TaxSubtotal/cac:TaxCategory/cbc:ID": "BT-118",
    "cac:TaxSubtotal/cac:TaxCategory/cbc:Percent": "BT-119",
    "cac:LegalMonetaryTotal/cbc:LineExtensionAmount": "BT-106",
    "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount": "BT-107",
    "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount": "BT-108",
    "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount": "BT-109",
    "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount": "BT-112",
    "cac:LegalMonetaryTotal/cbc:PrepaidAmount": "BT-113",
    "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount": "BT-114",
    "cac:LegalMonetaryTotal/cbc:PayableAmount": "BT-115",
    "cac:InvoiceLine": "BG-25",
    "cac:CreditNoteLine": "BG-25",
    "cac:InvoiceLine/cbc:ID": "BT-126",
    "cac:InvoiceLine/cbc:InvoicedQuantity": "BT-129",
    "cac:InvoiceLine/cbc:LineExtensionAmount": "BT-131",
    "cac:CreditNoteLine/cbc:ID": "BT-126",
    "cac:CreditNoteLine/cbc:CreditedQuantity": "BT-129",
    "cac:CreditNoteLine/cbc:LineExtensionAmount": "BT-131",
    "cac:Item/cbc:Name": "BT-153",
    "cac:Item/cac:ClassifiedTaxCategory/cbc:ID": "BT-151",
    "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent": "BT-152",
    "cac:Price/cbc:PriceAmount": "BT-146",
}
for _partie, _chemins in _PARTIES_CII.items():
    for _suite, _terme in _chemins.items():
        CHEMINS_TERMES[f"{_partie}/{_suite}".rstrip("/")] = _terme


def terme_du_chemin(etapes) -> str:
    """Business term (BT-x / BG-x) of an element from its path steps (``["rsm:CrossIndustryInvoice", ...]``, no
    index), ``""`` when the table does not know it."""
    chemin = "/" + "/".join(etapes)
    meilleur, longueur = "", 0
    for suffixe, terme in CHEMINS_TERMES.items():
        if chemin.endswith("/" + suffixe) and len(suffixe) > longueur:
            meilleur, longueur = terme, len(suffixe)
    return meilleur
