"""A request field whose value must be one of a closed list (a TextChoices, an action, a format): one refusal,
worded as Chorus Pro words it, for every service."""

from chorus.api.kit import requete_invalide


def valeur_connue(valeur: str, valeurs, champ: str) -> str:
    """``valeur`` if it is one of ``valeurs`` (a TextChoices' ``values``, a sequence, a dict's keys), else the
    « Valeur inconnue » refusal that lists them in their order."""
    valeurs = [str(v) for v in valeurs]
    if valeur not in valeurs:
        raise requete_invalide(f"Valeur inconnue pour « {champ} » : {valeur} (attendu : {', '.join(valeurs)}).")
    return valeur


def choix(valeur: str, valeurs, champ: str, defaut):
    """``defaut`` when the field is left empty, else ``valeur_connue``."""
    if not valeur:
        return defaut
    return valeur_connue(valeur, valeurs, champ)
