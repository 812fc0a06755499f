"""Forms of the sollicitations pages. They read and check what was typed; the rules (routing, statuses,
attachments) belong to ``sollicitations.services``, which has the last word."""

from django import forms
from dsfr.forms import DsfrBaseForm

from chorus.formulaires import FIN_AVANT_DEBUT, BornesOrdonnees
from chorus.identifiers import normaliser, valider_siret
from organisation import queries as org_queries
from organisation.enums import Application, Niveau
from organisation.models import Service, Structure
from sollicitations import queries, services
from sollicitations.enums import (
    MAX_PIECES_PAR_ENVOI,
    SUPPORT,
    TAILLE_MAX_PIECE,
    StatutSollicitation,
)
from sollicitations.models import SousCategorie

S = StatutSollicitation
DATE = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}
AIDE_PIECES = (
    f"PDF, PNG, JPEG, XML ou texte, reconnus à leur contenu ; {TAILLE_MAX_PIECE // 1024 // 1024} Mo au plus par "
    f"fichier, {MAX_PIECES_PAR_ENVOI} fichiers au plus."
)


class _ChoixMultiplesFichiers(forms.ClearableFileInput):
    allow_multiple_selected = True


class FichiersField(forms.FileField):
    """Several files in one input (Django's documented recipe): cleaned to a list of ``services.Fichier``, the size
    checked before a byte is read."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _ChoixMultiplesFichiers())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", AIDE_PIECES)
        kwargs.setdefault("error_messages", {"empty": "Le fichier envoyé est vide."})
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        simple = super().clean
        fichiers = [simple(d, initial) for d in data] if isinstance(data, list | tuple) else [simple(data, initial)]
        fichiers = [f for f in fichiers if f]
        if len(fichiers) > MAX_PIECES_PAR_ENVOI:
            raise forms.ValidationError(f"Vous pouvez joindre au plus {MAX_PIECES_PAR_ENVOI} fichiers à la fois.")
        for f in fichiers:
            if f.size > TAILLE_MAX_PIECE:
                raise forms.ValidationError(
                    f"Le fichier « {f.name} » dépasse la taille maximale de {TAILLE_MAX_PIECE // 1024 // 1024} Mo."
                )
        lus = [services.Fichier(nom=f.name, contenu=f.read()) for f in fichiers]
        erreurs = services.verifier_fichiers(lus)
        if erreurs:
            raise forms.ValidationError(erreurs)
        return lus


def _siret_ou_vide(valeur) -> str:
    siret = normaliser(valeur)
    return valider_siret(siret) if siret else ""


def _structure_par_siret(siret: str):
    """The structure a SIRET designates, whatever its type or status: the service layer says what is wrong with it."""
    return Structure.objects.filter(identifiant=siret).first() if siret else None


def _champ_service_public(label: str) -> forms.ModelChoiceField:
    """The service of the public structure designated by its SIRET in the same form: its choices are given once
    the structure is known (``_offrir_services``)."""
    return forms.ModelChoiceField(
        label=label,
        queryset=Service.objects.none(),
        required=False,
        empty_label="Sélectionnez un service",
        error_messages={
            "invalid_choice": "Ce service n'appartient pas à la structure destinataire ou n'est pas actif."
        },
    )


def _offrir_services(champ: forms.ModelChoiceField, structure) -> None:
    if structure is not None:
        champ.queryset = queries.services_actifs(structure)
    champ.label_from_instance = lambda s: f"{s.code} – {s.libelle}"


class SaisieSollicitationForm(DsfrBaseForm):
    """« Saisir une sollicitation ». Without JavaScript the form has two intermediate steps (« Afficher les
    sous-catégories », « Rechercher la structure ») that redisplay it with the sous-catégories of the chosen
    catégorie and the services of the designated structure."""

    structure_emettrice = forms.ModelChoiceField(
        label="Structure émettrice",
        queryset=Structure.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choisissez la structure émettrice.",
            "invalid_choice": "Choisissez l'une de vos structures.",
        },
    )
    service_emetteur = forms.ModelChoiceField(
        label="Service émetteur",
        queryset=Service.objects.none(),
        required=False,
        empty_label="Toute la structure",
        help_text="Obligatoire si vous n'êtes rattaché qu'à certains services de la structure.",
        error_messages={"invalid_choice": "Choisissez l'un de vos services."},
    )
    categorie = forms.ModelChoiceField(
        label="Catégorie",
        queryset=queries.categories_actives(),
        empty_label="Sélectionnez une catégorie",
        error_messages={
            "required": "Choisissez une catégorie.",
            "invalid_choice": "Choisissez une catégorie de la liste.",
        },
    )
    sous_categorie = forms.ModelChoiceField(
        label="Sous-catégorie",
        queryset=SousCategorie.objects.none(),
        empty_label="Sélectionnez une sous-catégorie",
        error_messages={"required": "Choisissez une sous-catégorie."},
    )
    siret_destinataire = forms.CharField(
        label="SIRET de la structure publique destinataire",
        max_length=20,
        required=False,
        help_text="Uniquement pour une sous-catégorie traitée par le service d'une structure publique (suivi, "
        "paiement ou rejet d'une facture…) : 14 chiffres, comme dans l'annuaire des structures publiques.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    service_destinataire = _champ_service_public("Service destinataire")
    objet = forms.CharField(
        label="Objet",
        max_length=200,
        error_messages={
            "required": "L'objet de la sollicitation est obligatoire.",
            "max_length": "L'objet ne doit pas dépasser 200 caractères.",
        },
    )
    message = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Le message est obligatoire : décrivez votre demande."},
    )
    numero_facture = forms.CharField(label="Numéro de la facture concernée", max_length=50, required=False)
    siret_concerne = forms.CharField(
        label="SIRET concerné",
        max_length=20,
        required=False,
        help_text="Facultatif : la structure dont il est question, si ce n'est pas la vôtre.",
    )
    courriel_contact = forms.EmailField(
        label="Adresse électronique de contact",
        error_messages={
            "required": "L'adresse électronique de contact est obligatoire.",
            "invalid": "Saisissez une adresse électronique valide.",
        },
    )
    telephone_contact = forms.CharField(label="Téléphone de contact", max_length=30, required=False)
    pieces = FichiersField(label="Pièces jointes")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure_emettrice"].queryset = org_queries.structures_de(
            user, Application.SOLLICITATIONS_EMISES, Niveau.MODIFICATION
        ).order_by("raison_sociale", "id")
        services_emetteurs = queries.services_emetteurs(user)
        self.fields["service_emetteur"].queryset = services_emetteurs
        self.fields["service_emetteur"].label_from_instance = lambda s: (
            f"{s.code} – {s.libelle} ({s.structure.raison_sociale})"
        )
        self.fields["sous_categorie"].queryset = queries.sous_categories_actives().filter(
            categorie_id=self._valeur_entiere("categorie")
        )
        categorie = self.fields["categorie"].queryset.filter(pk=self._valeur_entiere("categorie")).first()
        if categorie is not None:
            self.fields["sous_categorie"].error_messages["invalid_choice"] = (
                f"Choisissez une sous-catégorie de la catégorie « {categorie.libelle} »."
            )
        else:
            self.fields["sous_categorie"].error_messages["invalid_choice"] = "Choisissez d'abord une catégorie."
        self.structure_designee = None
        try:
            self.structure_designee = _structure_par_siret(_siret_ou_vide(self._valeur("siret_destinataire")))
        except forms.ValidationError:
            pass
        _offrir_services(self.fields["service_destinataire"], self.structure_designee)

    def _valeur(self, nom):
        if self.is_bound:
            return self.data.get(self.add_prefix(nom), "")
        valeur = self.initial.get(nom, "")
        return getattr(valeur, "pk", valeur)

    def _valeur_entiere(self, nom):
        valeur = str(self._valeur(nom) or "")
        return int(valeur) if valeur.isdigit() else None

    def clean_siret_destinataire(self):
        return _siret_ou_vide(self.cleaned_data.get("siret_destinataire"))

    def clean_siret_concerne(self):
        return _siret_ou_vide(self.cleaned_data.get("siret_concerne"))

    def clean(self):
        cleaned = super().clean()
        sous_categorie = cleaned.get("sous_categorie")
        vers_service = sous_categorie is not None and sous_categorie.vers_service_metier
        if not vers_service or self.structure_designee is None:
            # No structure to choose a service in: the posted service says nothing (the support ignores it).
            self.errors.pop("service_destinataire", None)
            cleaned["service_destinataire"] = None
        if vers_service and "siret_destinataire" not in self.errors:
            if cleaned.get("siret_destinataire") and self.structure_designee is None:
                self.add_error("siret_destinataire", "Aucune structure n'existe avec ce SIRET sur Chorus Pro.")
            else:  # the routing rule of the service layer, shown next to its fields
                for champ, message in services.verifier_destinataire(
                    self.structure_designee, cleaned.get("service_destinataire"), champ_structure="siret_destinataire"
                ).items():
                    if champ not in self.errors:
                        self.add_error(champ, message)
        cleaned["structure_destinataire"] = self.structure_designee
        return cleaned

    def donnees(self) -> dict:
        """The keyword arguments of ``services.deposer_sollicitation``."""
        c = self.cleaned_data
        return {
            "structure_emettrice": c["structure_emettrice"],
            "service_emetteur": c.get("service_emetteur"),
            "categorie": c["categorie"],
            "sous_categorie": c["sous_categorie"],
            "structure_destinataire": c.get("structure_destinataire"),
            "service_destinataire": c.get("service_destinataire"),
            "objet": c["objet"],
            "message": c["message"],
            "numero_facture": c["numero_facture"],
            "siret_concerne": c["siret_concerne"],
            "courriel_contact": c["courriel_contact"],
            "telephone_contact": c["telephone_contact"],
            "fichiers": c["pieces"],
        }


# Where a service-layer error key is shown on a form.
CHAMPS_SAISIE = {"structure_destinataire": "siret_destinataire"}
CHAMPS_TRAITEMENT = {"structure_destinataire": "siret_reaffectation", "service_destinataire": "service_reaffectation"}


class _RechercheForm(BornesOrdonnees, DsfrBaseForm):
    """« Rechercher »: the criteria (GET) shared by the result page and the exports."""

    BORNES = (("date_du", "date_au", FIN_AVANT_DEBUT),)

    numero = forms.CharField(label="Numéro de la sollicitation", max_length=20, required=False)
    categorie = forms.ModelChoiceField(
        label="Catégorie", queryset=queries.categories_actives(), required=False, empty_label="Toutes"
    )
    date_du = forms.DateField(label="Date de dépôt du", required=False, **DATE)
    date_au = forms.DateField(label="Date de dépôt au", required=False, **DATE)

    def criteres(self) -> dict:
        return {champ: valeur for champ, valeur in self.cleaned_data.items() if valeur not in (None, "")}


class RechercheEmisesForm(_RechercheForm):
    statut = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous"), *[(s, s.label) for s in (S.A_TRAITER, S.DEMANDE_INFORMATION, S.RESOLUE, S.CLOTUREE)]],
    )
    destinataire = forms.CharField(label="Destinataire (SIRET ou raison sociale)", max_length=250, required=False)
    field_order = ["numero", "statut", "categorie", "destinataire", "date_du", "date_au"]


class RechercheRecuesForm(_RechercheForm):
    statut = forms.ChoiceField(
        label="État",
        required=False,
        choices=[
            ("", "Tous"),
            ("MES_A_TRAITER", "Mes sollicitations à traiter (À traiter et En cours)"),
            *[(s, s.label) for s in (S.A_TRAITER, S.EN_COURS, S.DEMANDE_INFORMATION, S.RESOLUE, S.CLOTUREE)],
        ],
    )
    emetteur = forms.CharField(label="Structure émettrice (SIRET ou raison sociale)", max_length=250, required=False)
    field_order = ["numero", "statut", "categorie", "emetteur", "date_du", "date_au"]


class ReponseEmetteurForm(DsfrBaseForm):
    """The sender's answer to « Demande d'information », or why they send a « Résolue » answer back."""

    message = forms.CharField(label="Votre réponse", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    pieces = FichiersField(label="Pièces jointes")

    def __init__(self, *args, obligatoire: str, libelle: str = "Votre réponse", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].label = libelle
        self.fields["message"].error_messages["required"] = obligatoire


# The treatment form's words for each status (seed 001's « Modifier le statut (en cours, demande d'information,
# résolue, mauvaise affectation) »).
CHOIX_TRAITEMENT = {
    S.EN_COURS: "En cours – prendre en charge (réponse en brouillon, non visible du déposant)",
    S.DEMANDE_INFORMATION: "Demande d'information – demander des informations complémentaires au déposant",
    S.RESOLUE: "Résolue – répondre à la sollicitation",
    S.MAUVAISE_AFFECTATION: "Mauvaise affectation – transférer la sollicitation au support Chorus Pro",
    S.REAFFECTEE: "Réaffecter au service d'une structure publique",
}


class TraitementForm(DsfrBaseForm):
    """« Mise à jour de la sollicitation » on the receiving side."""

    statut = forms.ChoiceField(
        label="Statut",
        choices=[("", "Sélectionnez un statut"), *CHOIX_TRAITEMENT.items()],
        error_messages={"required": services.STATUT_OBLIGATOIRE, "invalid_choice": "Choisissez un statut de la liste."},
    )
    message = forms.CharField(
        label="Réponse ou commentaire",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Transmis au déposant avec les statuts « Demande d'information » et « Résolue » ; conservé en "
        "brouillon avec « En cours ».",
    )
    assignee_a = forms.ModelChoiceField(
        label="Assignée à",
        queryset=None,
        required=False,
        empty_label="Personne",
        error_messages={"invalid_choice": "Cette personne ne peut pas traiter les sollicitations de ce destinataire."},
    )
    siret_reaffectation = forms.CharField(
        label="SIRET de la structure publique",
        max_length=20,
        required=False,
        help_text="Pour « Réaffecter » : la structure publique dont le service traitera la sollicitation.",
    )
    service_reaffectation = _champ_service_public("Service de la structure publique")
    pieces = FichiersField(label="Pièces jointes")

    def __init__(self, *args, sollicitation, role, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered: what the transition table allows from the current status. Any receiving status is accepted
        # when posted, so that a change made meanwhile by a colleague is answered by the service layer's message.
        possibles = services.statuts_possibles(sollicitation, role)
        self.fields["statut"].widget.choices = [
            ("", "Sélectionnez un statut"),
            *[(c, CHOIX_TRAITEMENT[c]) for c in possibles if c in CHOIX_TRAITEMENT],
        ]
        self.fields["assignee_a"].queryset = queries.agents_assignables(sollicitation)
        self.fields["assignee_a"].label_from_instance = lambda u: u.get_full_name()
        self.structure_designee = None
        if role == SUPPORT:
            try:
                siret = _siret_ou_vide(self.data.get("siret_reaffectation", "")) if self.is_bound else ""
            except forms.ValidationError:
                siret = ""
            self.structure_designee = _structure_par_siret(siret)
            _offrir_services(self.fields["service_reaffectation"], self.structure_designee)
        else:
            del self.fields["siret_reaffectation"], self.fields["service_reaffectation"]
        self.role = role

    def clean_siret_reaffectation(self):
        return _siret_ou_vide(self.cleaned_data.get("siret_reaffectation"))

    def clean(self):
        cleaned = super().clean()
        if (
            self.role == SUPPORT
            and cleaned.get("statut") == S.REAFFECTEE
            and cleaned.get("siret_reaffectation")
            and self.structure_designee is None
        ):
            self.add_error("siret_reaffectation", "Aucune structure n'existe avec ce SIRET sur Chorus Pro.")
        return cleaned

    def donnees(self) -> dict:
        c = self.cleaned_data
        return {
            "statut": c["statut"],
            "message": c["message"],
            "assignee": c.get("assignee_a"),
            "fichiers": c["pieces"],
            "structure_destinataire": self.structure_designee if self.role == SUPPORT else None,
            "service_destinataire": c.get("service_reaffectation") if self.role == SUPPORT else None,
        }
