from chorus.navigation import Application, EntreeMenu, register_action_publique, register_application


def _emetteur(user) -> bool:
    if not hasattr(user, "_chorus_emetteur"):
        from organisation import queries
        from organisation.enums import Application as App

        user._chorus_emetteur = queries.structures_de(user, App.FACTURES_EMISES).exists()
    return user._chorus_emetteur


register_application(
    Application(
        "FACTURES_EMISES", "Factures émises", "FACTURATION", "factures_emises",
        "Saisir et suivre vos factures et avoirs adressés aux entités publiques.", ordre=10, accessible=_emetteur,
    )
)  # fmt: skip

# « Vérifier un dépôt » on the public home page: anyone checks a document against its certificat de dépôt.
register_action_publique(EntreeMenu(libelle="Vérifier un dépôt", url_name="verifier_depot", ordre=30))
