from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from chorus.formulaires import FormulaireDsfr
from chorus.identifiers import normaliser, valider_identifiant, valider_siret
from chorus.limitation import adresse_client
from chorus.mail import envoyer_email
from chorus.securite import journaliser
from organisation import queries, services
from organisation.enums import (
    TYPES_IDENTIFIANT_PRIVES,
    TypeIdentifiant,
    TypeStructure,
    codename,
    niveaux_possibles,
)
from organisation.models import Service, Structure, Utilisateur

MESSAGE_LIMITE_CONNEXION = (
    "Trop de tentatives de connexion infructueuses depuis votre adresse. Réessayez dans {minutes} minutes."
)
MESSAGE_LIMITE_DEMANDES = "Trop de demandes depuis votre adresse. Réessayez dans {minutes} minutes."
MESSAGE_VERROUILLAGE = (
    "Votre compte est bloqué suite à plusieurs tentatives de connexion infructueuses. "
    "Réessayez après le {fin} ou réinitialisez votre mot de passe avec « Mot de passe oublié »."
)


class MotDePasseConserve(forms.PasswordInput):
    """A new password typed once is not lost when another field of the form is refused (issue 14 item 10); a
    refused password is typed again (``sans_mots_de_passe_refuses``)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=True)


def sans_mots_de_passe_refuses(form, noms):
    """After validation: the password fields are emptied when one of them is in error."""
    if any(nom in form.errors for nom in noms):
        for nom in noms:
            form.fields[nom].widget.render_value = False


class ConnexionForm(DsfrBaseForm, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte n'est pas activé.",
    }

    def clean(self):
        # Refused before any password is checked (the slow hasher runs on no attempt beyond the limits): too many
        # failures from this client address, or a locked address — locked alike whether or not an account has it.
        email = self.cleaned_data.get("username")
        ip = adresse_client(self.request) if self.request is not None else ""
        if email and ip and services.LIMITE_ECHECS_CONNEXION_IP.atteinte(ip):
            journaliser("connexion.limite", email=email, ip=ip)
            raise forms.ValidationError(
                MESSAGE_LIMITE_CONNEXION.format(minutes=services.LIMITE_ECHECS_CONNEXION_IP.duree_minutes),
                code="limite",
            )
        if email:
            self._refuser_si_verrouille(email)
        try:
            return super().clean()
        except forms.ValidationError:
            email = Utilisateur.objects.normalize_email(self.cleaned_data.get("username"))
            user = Utilisateur.objects.filter(email=email).first()
            if email:
                self._refuser_si_verrouille(email)
            # Only with the right password does the portal say that the account awaits its activation.
            if user is not None and not user.is_active and user.check_password(self.cleaned_data.get("password")):
                self.compte_inactif = user
                raise forms.ValidationError(
                    "Votre compte n'est pas encore activé : ouvrez le lien reçu par courriel lors de sa création.",
                    code="inactive",
                ) from None
            raise

    @staticmethod
    def _refuser_si_verrouille(email):
        fin = services.fin_verrouillage(email)
        if fin is not None:
            fin = timezone.localtime(fin)
            raise forms.ValidationError(
                MESSAGE_VERROUILLAGE.format(fin=f"{fin:%d/%m/%Y à %H:%M}"), code="verrouille"
            ) from None


class MotDePasseOublieForm(DsfrBaseForm, auth_forms.PasswordResetForm):
    email = forms.EmailField(label="Adresse électronique", max_length=254, widget=forms.EmailInput())

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Through the outbox like every e-mail of the portal: it survives a lost Redis and leaves after commit.
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        envoyer_email(destinataires=[to_email], sujet=subject, corps=body)

    def get_users(self, email):
        # At most a few e-mails an hour to one address (counted whether or not an account has it: the answer is
        # the same page either way). Never a technical account: it has no password of the portal to reset.
        email = Utilisateur.objects.normalize_email(email)
        if services.LIMITE_MOT_DE_PASSE_OUBLIE_COMPTE.depassee(email):
            journaliser("mot_de_passe.limite", email=email)
            return []
        utilisateurs = [
            user
            for user in Utilisateur.objects.filter(email=email, is_active=True, compte_technique__isnull=True)
            if user.has_usable_password()
        ]
        for user in utilisateurs:
            journaliser("mot_de_passe.reinitialisation_demandee", utilisateur=user.pk, email=email)
        return utilisateurs


class NouveauMotDePasseForm(DsfrBaseForm, auth_forms.SetPasswordForm):
    new_password1 = forms.CharField(
        label="Nouveau mot de passe",
        strip=False,
        widget=MotDePasseConserve(),
        help_text="Au moins 10 caractères, pas uniquement des chiffres, ni trop proche de vos nom et adresse.",
    )
    new_password2 = forms.CharField(
        label="Confirmation du nouveau mot de passe",
        strip=False,
        widget=MotDePasseConserve(),
    )

    def _post_clean(self):
        super()._post_clean()
        sans_mots_de_passe_refuses(self, ("new_password1", "new_password2"))

    def save(self, commit=True):  # noqa: FBT002 (Django's signature)
        user = super().save(commit=commit)
        # Setting a new password through the e-mailed link proves ownership: it also lifts a lock-out.
        services.reinitialiser_echecs_connexion(user=user)
        journaliser("mot_de_passe.reinitialise", utilisateur=user.pk, email=user.email)
        return user


class ChangerMotDePasseForm(DsfrBaseForm, auth_forms.PasswordChangeForm):
    old_password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = NouveauMotDePasseForm.base_fields["new_password1"]
    new_password2 = NouveauMotDePasseForm.base_fields["new_password2"]

    def _post_clean(self):
        super()._post_clean()
        sans_mots_de_passe_refuses(self, ("new_password1", "new_password2"))


class ModifierCompteForm(DsfrBaseForm):
    prenom = forms.CharField(label="Prénom", max_length=150)
    nom = forms.CharField(label="Nom", max_length=150)
    telephone = forms.RegexField(
        label="Téléphone",
        max_length=30,
        required=False,
        regex=r"^\+?[0-9 .\-()]{6,30}$",
        error_messages={"invalid": "Saisissez un numéro de téléphone valide (chiffres, espaces, +, points)."},
    )

    def changements(self, user) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if getattr(user, name) != value}


# The formats of the identifiers other than a SIRET, as the creation forms explain them.
AIDE_IDENTIFIANT = (
    "UE : numéro de TVA intracommunautaire avec le code pays (DE123456789) ; hors UE : 1 à 18 lettres ou chiffres ; "
    "RIDET : 10 chiffres (1234567.001) ; numéro Tahiti : 9 caractères (A12345001)."
)


def _verifier_identifiant(form, cleaned: dict, type_identifiant: str) -> None:
    """The identifier of the structure a creation form (account or structure) creates: a valid SIRET, or for a
    private structure a valid identifier of another type (a particulier's is given by the portal). Errors go on the
    form's fields; the normalised identifier replaces what was typed."""
    if type_identifiant == TypeIdentifiant.SIRET:
        try:
            cleaned["siret"] = valider_siret(cleaned.get("siret", ""))
        except forms.ValidationError as exc:
            form.add_error("siret", exc)
        return
    if cleaned.get("type_structure") == TypeStructure.PUBLIQUE:
        form.add_error("type_structure", "Une structure publique est identifiée par son SIRET : choisissez « SIRET ».")
    if type_identifiant != TypeIdentifiant.PARTICULIER:
        try:
            cleaned["identifiant"] = valider_identifiant(type_identifiant, cleaned.get("identifiant", ""))
        except forms.ValidationError as exc:
            form.add_error("identifiant", exc)


class CreerCompteForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique", max_length=254)
    prenom = ModifierCompteForm.base_fields["prenom"]
    nom = ModifierCompteForm.base_fields["nom"]
    telephone = ModifierCompteForm.base_fields["telephone"]
    type_identifiant = forms.ChoiceField(
        label="Type d'identifiant de votre structure",
        choices=[(t.value, t.label) for t in TYPES_IDENTIFIANT_PRIVES],
        initial=TypeIdentifiant.SIRET,
        required=False,
        help_text="Une structure publique est toujours identifiée par son SIRET.",
    )
    siret = forms.CharField(
        label="SIRET de votre structure",
        max_length=20,
        required=False,
        help_text="14 chiffres, espaces acceptés (type « SIRET »).",
    )
    identifiant = forms.CharField(
        label="Identifiant de votre structure (autre type que SIRET)",
        max_length=30,
        required=False,
        help_text=AIDE_IDENTIFIANT,
    )
    type_structure = forms.ChoiceField(
        label="Type de structure", choices=TypeStructure.choices, widget=forms.RadioSelect, initial=TypeStructure.PRIVEE
    )
    raison_sociale = forms.CharField(
        label="Raison sociale",
        max_length=250,
        required=False,
        help_text="Obligatoire si votre structure n'existe pas encore sur Chorus Pro.",
    )
    adresse = forms.CharField(label="Adresse", max_length=250, required=False)
    code_postal = forms.RegexField(
        label="Code postal",
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": "Le code postal comporte 5 chiffres."},
    )
    ville = forms.CharField(label="Ville", max_length=100, required=False)
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si votre structure existe déjà : il accompagne votre demande de rattachement.",
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=MotDePasseConserve(),
        help_text=NouveauMotDePasseForm.base_fields["new_password1"].help_text,
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=MotDePasseConserve(),
    )

    def clean_email(self):
        email = Utilisateur.objects.normalize_email(self.cleaned_data["email"])
        if Utilisateur.objects.filter(email=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse électronique.")
        return email

    def clean(self):
        cleaned = super().clean()
        type_identifiant = cleaned.get("type_identifiant") or TypeIdentifiant.SIRET
        cleaned["type_identifiant"] = type_identifiant
        _verifier_identifiant(self, cleaned, type_identifiant)
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        elif p1:
            candidate = Utilisateur(
                email=cleaned.get("email") or "", prenom=cleaned.get("prenom") or "", nom=cleaned.get("nom") or ""
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        sans_mots_de_passe_refuses(self, ("password1", "password2"))
        return cleaned


class RechercheStructureForm(DsfrBaseForm):
    type_identifiant = forms.ChoiceField(
        label="Type d'identifiant", choices=TypeIdentifiant.choices, initial=TypeIdentifiant.SIRET, required=False
    )
    type_structure = forms.ChoiceField(
        label="Type de structure", choices=[("", "Toutes"), *TypeStructure.choices], required=False
    )
    siret = forms.CharField(
        label="Identifiant (au moins 3 caractères)",
        max_length=20,
        required=False,
        help_text="Le SIRET, ou l'identifiant d'un autre type (numéro de TVA, RIDET, numéro Tahiti...).",
    )
    raison_sociale = forms.CharField(label="Raison sociale", max_length=250, required=False)
    ville = forms.CharField(label="Ville", max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        # The identifier's rule depends on its type: a SIRET is digits, the other types may hold letters.
        identifiant = normaliser(cleaned.get("siret") or "").upper()
        if identifiant:
            if cleaned.get("type_identifiant", TypeIdentifiant.SIRET) in ("", TypeIdentifiant.SIRET):
                if not (identifiant.isascii() and identifiant.isdigit()) or len(identifiant) < 3:
                    self.add_error("siret", "Saisissez au moins 3 chiffres du SIRET.")
            elif not (identifiant.isascii() and identifiant.isalnum()) or len(identifiant) < 3:
                self.add_error("siret", "Saisissez au moins 3 lettres ou chiffres de l'identifiant.")
        if "siret" in cleaned:
            cleaned["siret"] = identifiant
        if not (cleaned.get("siret") or cleaned.get("raison_sociale") or self.errors):
            raise forms.ValidationError("Saisissez un SIRET ou une raison sociale.")
        return cleaned


class _MailleMixin:
    """Structure or service level: the structures offered, and their active services; a service must be chosen, and
    belong to the structure, at service level."""

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["service"].queryset = Service.objects.filter(structure__in=structures, actif=True).select_related(
            "structure"
        )
        self.fields["service"].label_from_instance = lambda s: f"{s.structure.raison_sociale} – {s.code} {s.libelle}"

    def clean(self):
        cleaned = super().clean()
        service, structure = cleaned.get("service"), cleaned.get("structure")
        if cleaned.get("maille") == "SERVICE":
            if service is None:
                self.add_error("service", "Choisissez le service.")
            elif structure is not None and service.structure_id != structure.pk:
                self.add_error("service", "Ce service n'appartient pas à la structure choisie.")
        else:
            cleaned["service"] = None
        return cleaned


class DemandeRattachementForm(_MailleMixin, DsfrBaseForm):
    structure = forms.ModelChoiceField(
        label="Structure",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choisissez la structure.", "invalid_choice": "Structure non proposée."},
    )
    maille = forms.ChoiceField(
        label="Niveau de rattachement",
        choices=[
            ("STRUCTURE", "Je souhaite faire un rattachement à la maille structure"),
            ("SERVICE", "Je souhaite faire un rattachement à la maille service"),
        ],
        widget=forms.RadioSelect,
        initial="STRUCTURE",
    )
    service = forms.ModelChoiceField(label="Service", queryset=None, required=False)
    commentaire = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 3}))


def _choix_profils():
    return [
        (codename(app, niveau), f"{app.label} {niveau}")
        for app in queries.applications_ouvertes()
        for niveau in niveaux_possibles(app)
    ]


class ProfilForm(DsfrBaseForm):
    """One profile to add or change (application × niveau) or to remove, on one structure."""

    structure = forms.ModelChoiceField(label="Structure", queryset=None, empty_label=None)
    action = forms.ChoiceField(
        label="Action", choices=[("AJOUTER", "Ajouter ou modifier le profil"), ("SUPPRIMER", "Supprimer le profil")]
    )
    profil = forms.ChoiceField(label="Profil", choices=_choix_profils)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures

    def profils(self) -> dict:
        application, _, niveau = self.cleaned_data["profil"].rpartition("_")
        application = application.upper()
        return {application: None if self.cleaned_data["action"] == "SUPPRIMER" else niveau}


class ChoixStructureForm(FormulaireDsfr):
    """« Structure »: which of the structures the view lists (already scoped to the user) the page is about, chosen
    by ``?structure=``; without a choice, the first. A value that is not one of them is an error of the field (the
    page may also refuse it: « Raccordements » answers 404). Options and choice come from the list itself: no query
    of their own."""

    structure = forms.ChoiceField(
        label="Structure",
        required=False,
        widget=forms.Select(attrs={"id": "choix-structure"}),
        error_messages={"invalid_choice": "Choisissez une structure de la liste."},
    )

    def __init__(self, data=None, *, structures, avec_identifiant=False, **kwargs):
        super().__init__(data, **kwargs)
        self.structures = {str(s.pk): s for s in structures}
        self.fields["structure"].choices = [
            (pk, f"{s.raison_sociale} ({s.identifiant})" if avec_identifiant else s.raison_sociale)
            for pk, s in self.structures.items()
        ]
        # The structure the page shows: the one chosen, or the first of the list when none (or an unknown one) was.
        self.structure_choisie = self.structures.get(str(self.data.get("structure") or "")) or next(
            iter(self.structures.values()), None
        )

    def clean_structure(self):
        return self.structures.get(self.cleaned_data["structure"])

    def inconnue(self) -> bool:
        """A structure was asked for that is not among the user's."""
        return not self.is_valid() and "structure" in self.errors


class _UtilisateurDeLaStructure(forms.ChoiceField):
    """A user chosen before the structure changed (the page sends both) is no longer one of the structure's: the
    page then asks for a user again, with no error (``clean_utilisateur``)."""

    def valid_value(self, value):
        return True


class ChoixUtilisateurForm(ChoixStructureForm):
    """« Gérer les habilitations des utilisateurs »: a structure, then one of its active users (those of the
    structure shown)."""

    utilisateur = _UtilisateurDeLaStructure(
        label="Utilisateur", required=False, widget=forms.Select(attrs={"id": "choix-utilisateur"})
    )

    def __init__(self, data=None, *, structures, **kwargs):
        super().__init__(data, structures=structures, **kwargs)
        self.membres = {str(u.pk): u for u in queries.utilisateurs_de(self.structure_choisie)}
        self.fields["utilisateur"].choices = [("", "Choisissez un utilisateur")] + [
            (pk, f"{u.get_full_name()} ({u.email})") for pk, u in self.membres.items()
        ]

    def clean_utilisateur(self):
        return self.membres.get(self.cleaned_data["utilisateur"])

    def utilisateur_choisi(self):
        self.is_valid()
        return self.cleaned_data.get("utilisateur")


class RattacherUtilisateurForm(_MailleMixin, DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique de l'utilisateur")
    structure = forms.ModelChoiceField(label="Structure de rattachement", queryset=None, empty_label=None)
    maille = DemandeRattachementForm.base_fields["maille"]
    service = DemandeRattachementForm.base_fields["service"]


class DecisionForm(DsfrBaseForm):
    decision = forms.ChoiceField(choices=[("APPROUVER", "Approuver"), ("REFUSER", "Refuser")], widget=forms.HiddenInput)
    motif = forms.CharField(
        label="Motif du refus",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour refuser : il est envoyé au demandeur.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "REFUSER" and not (cleaned.get("motif") or "").strip():
            self.add_error("motif", "Le motif est obligatoire pour refuser une demande.")
        return cleaned


class StructureForm(DsfrBaseForm, forms.ModelForm):
    """« Modifier une structure »: what is not INSEE's. The address of a SIRET structure comes from the register
    (« Mettre à jour depuis la base INSEE »); only a structure INSEE does not know types its address."""

    class Meta:
        model = Structure
        fields = [
            "raison_sociale",
            "numero_rcs",
            "numero_tva",
            "telephone",
            "courriel",
            "adresse",
            "complement_adresse",
            "code_postal",
            "ville",
            "libelle_pays",
        ]
        labels = {"numero_rcs": "Numéro RCS", "numero_tva": "Numéro TVA intracommunautaire"}
        help_texts = {"numero_tva": "Pour une structure française : FR, 2 chiffres de clé et le SIREN."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.type_identifiant == TypeIdentifiant.SIRET:
            for champ in services.CHAMPS_ADRESSE:
                self.fields.pop(champ, None)

    def clean_numero_tva(self):
        return services.verifier_numero_tva(
            type_identifiant=self.instance.type_identifiant,
            identifiant=self.instance.identifiant,
            numero_tva=self.cleaned_data["numero_tva"],
        )


class ChangementSiretForm(DsfrBaseForm):
    """« Modifier mon numéro de SIRET » (the GP; the support desk decides)."""

    nouveau_siret = forms.CharField(label="Nouveau SIRET", max_length=20, help_text="14 chiffres, espaces acceptés.")
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : déménagement du siège, changement d'établissement.",
    )

    def clean_nouveau_siret(self):
        return valider_siret(self.cleaned_data["nouveau_siret"])


class ParametresStructureForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Structure
        fields = list(Structure.PARAMETRES_PUBLICS)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("service_ou_engagement_obligatoire") and (
            cleaned.get("code_service_obligatoire") or cleaned.get("engagement_obligatoire")
        ):
            raise forms.ValidationError(
                "« Engagement ou code service obligatoire » exclut « code service obligatoire » et "
                "« numéro d'engagement obligatoire »."
            )
        return cleaned


class CreerStructureForm(DsfrBaseForm):
    """« Créer une structure »: a SIRET (public or private), or for a private structure another identifier type. The
    address of a SIRET structure is INSEE's, never typed here."""

    type_identifiant = forms.ChoiceField(
        label="Type d'identifiant",
        choices=[(t.value, t.label) for t in TYPES_IDENTIFIANT_PRIVES],
        initial=TypeIdentifiant.SIRET,
        help_text="Une structure publique est toujours identifiée par son SIRET.",
    )
    siret = forms.CharField(
        label="SIRET", max_length=20, required=False, help_text="14 chiffres, espaces acceptés (type « SIRET »)."
    )
    identifiant = forms.CharField(
        label="Identifiant (autre type que SIRET)",
        max_length=30,
        required=False,
        help_text=f"{AIDE_IDENTIFIANT} Un particulier n'en saisit pas : le portail lui en attribue un.",
    )
    type_structure = CreerCompteForm.base_fields["type_structure"]
    raison_sociale = forms.CharField(
        label="Raison sociale",
        max_length=250,
        required=False,
        help_text="Pour un SIRET, reprise de la base INSEE si vous la laissez vide ; pour un particulier : "
        "vos nom et prénom.",
    )
    numero_rcs = StructureForm.base_fields["numero_rcs"]
    numero_tva = StructureForm.base_fields["numero_tva"]
    adresse = forms.CharField(
        label="Adresse (structure sans SIRET)",
        max_length=250,
        required=False,
        help_text="L'adresse d'une structure identifiée par son SIRET est celle de la base INSEE.",
    )
    code_postal = forms.CharField(label="Code postal (structure sans SIRET)", max_length=10, required=False)
    ville = forms.CharField(label="Ville (structure sans SIRET)", max_length=100, required=False)
    libelle_pays = forms.CharField(label="Pays (structure sans SIRET)", max_length=100, required=False)

    CHAMPS_ADRESSE = ("adresse", "code_postal", "ville", "libelle_pays")

    def clean(self):
        cleaned = super().clean()
        type_identifiant = cleaned.get("type_identifiant")
        if type_identifiant:
            _verifier_identifiant(self, cleaned, type_identifiant)
        if type_identifiant == TypeIdentifiant.SIRET:
            if any(cleaned.get(champ) for champ in self.CHAMPS_ADRESSE):
                self.add_error(
                    "adresse",
                    "L'adresse d'une structure identifiée par son SIRET vient de la base INSEE : laissez ces champs "
                    "vides.",
                )
        elif type_identifiant:
            if not (cleaned.get("raison_sociale") or "").strip():
                self.add_error("raison_sociale", "La raison sociale (ou vos nom et prénom) est obligatoire.")
        if type_identifiant and cleaned.get("numero_tva") and not self.has_error("siret"):
            try:
                cleaned["numero_tva"] = services.verifier_numero_tva(
                    type_identifiant=type_identifiant,
                    identifiant=cleaned.get("siret") or cleaned.get("identifiant") or "",
                    numero_tva=cleaned["numero_tva"],
                )
            except forms.ValidationError as exc:
                self.add_error("numero_tva", exc)
        return cleaned


class ServiceForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["code", "libelle", "engagement_obligatoire", "adresse", "code_postal", "ville"]


class ModifierServiceForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["libelle", "engagement_obligatoire", "actif", "adresse", "code_postal", "ville"]


class CoordonneesBancairesForm(DsfrBaseForm):
    titulaire = forms.CharField(label="Titulaire du compte", max_length=250)
    iban = forms.CharField(label="IBAN", max_length=50, help_text="Par exemple FR76 3000 6000 0112 3456 7890 189")
    bic = forms.CharField(label="BIC", max_length=15)


class TransfertGestionnaireForm(DsfrBaseForm):
    nouveau = forms.ModelChoiceField(label="Nouveau gestionnaire principal", queryset=None)

    def __init__(self, *args, utilisateurs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nouveau"].queryset = utilisateurs
        self.fields["nouveau"].label_from_instance = lambda u: f"{u.get_full_name()} ({u.email})"


class HistoriqueGestionnaireForm(DsfrBaseForm):
    """The filters of « Historique des actions du gestionnaire »."""

    structure = forms.ModelChoiceField(
        label="Structure", queryset=Structure.objects.none(), required=False, empty_label="Toutes mes structures"
    )
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures.order_by("raison_sociale")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("du") and cleaned.get("au") and cleaned["du"] > cleaned["au"]:
            self.add_error("au", "La date de fin doit être postérieure ou égale à la date de début.")
        return cleaned


class StructureRaccordementForm(DsfrBaseForm):
    """The structure a technical account or an API client is created for, among those whose raccordements the user
    manages."""

    structure = forms.ModelChoiceField(
        label="Structure",
        queryset=Structure.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choisissez une de vos structures dans la liste."},
    )
    libelle = forms.CharField(
        label="Libellé (facultatif)", max_length=200, required=False, help_text="Par exemple : le nom de votre ERP."
    )

    def __init__(self, *args, structures, avec_libelle: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        if not avec_libelle:
            del self.fields["libelle"]


MODES_ECHANGE = [("PORTAIL", "Portail Chorus Pro"), ("EDI", "EDI ou API (raccordement de votre logiciel)")]


class ModeEchangeForm(DsfrBaseForm):
    """« Raccordements » > « Mode d'émission et de réception » of one structure."""

    emission = forms.ChoiceField(
        label="Émission des factures",
        choices=MODES_ECHANGE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le mode d'émission.", "invalid_choice": "Mode d'émission inconnu."},
    )
    reception = forms.ChoiceField(
        label="Réception des factures",
        choices=MODES_ECHANGE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le mode de réception.", "invalid_choice": "Mode de réception inconnu."},
    )

    mise_en_paiement = forms.ChoiceField(
        label="Statut « Mise en paiement »",
        choices=[
            ("REMONTE", "Remonté dans Chorus Pro : vos fournisseurs le voient"),
            ("NON_REMONTE", "Non remonté : vos factures s'arrêtent au statut précédent"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez la gestion du statut « Mise en paiement ».",
            "invalid_choice": ("Gestion du statut « Mise en paiement » inconnue."),
        },
    )

    def __init__(self, *args, publique: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not publique:  # only a public structure reports the « Mise en paiement » status
            del self.fields["mise_en_paiement"]

    @classmethod
    def initiales(cls, structure) -> dict:
        return {
            "emission": "EDI" if structure.emetteur_edi else "PORTAIL",
            "reception": "EDI" if structure.recepteur_edi else "PORTAIL",
            "mise_en_paiement": "NON_REMONTE" if structure.mise_en_paiement_non_remontee else "REMONTE",
        }

    def mise_en_paiement_non_remontee(self) -> bool | None:
        if "mise_en_paiement" not in self.fields:
            return None
        return self.cleaned_data["mise_en_paiement"] == "NON_REMONTE"


class CodeVerificationForm(DsfrBaseForm):
    """A code of the authenticator application (6 digits) or one recovery code."""

    code = forms.CharField(
        label="Code de vérification",
        help_text="Les 6 chiffres affichés par votre application d'authentification, ou un de vos codes de secours.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class ReinitialiserDoubleAuthentificationForm(DsfrBaseForm):
    """Support: the user whose second factor is reset, and why."""

    email = forms.EmailField(label="Adresse électronique de l'utilisateur", max_length=254)
    motif = forms.CharField(
        label="Motif",
        max_length=500,
        help_text="Par exemple : téléphone perdu, identité vérifiée par rappel téléphonique.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_email(self):
        email = Utilisateur.objects.normalize_email(self.cleaned_data["email"])
        self.utilisateur = Utilisateur.objects.filter(email=email, compte_technique__isnull=True).first()
        if self.utilisateur is None:
            raise forms.ValidationError("Aucun compte ne correspond à cette adresse électronique.")
        return email
