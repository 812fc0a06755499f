from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from chorus.mail import envoyer_email
from organisation import services
from organisation.models import Utilisateur

MESSAGE_VERROUILLAGE = (
    "Votre compte est bloqué suite à plusieurs tentatives de connexion infructueuses. "
    "Réessayez après le {fin} ou réinitialisez votre mot de passe avec « Mot de passe oublié »."
)


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
        try:
            return super().clean()
        except forms.ValidationError:
            email = Utilisateur.objects.normalize_email(self.cleaned_data.get("username"))
            user = Utilisateur.objects.filter(email=email).only("verrouille_jusqu_au").first()
            if user is not None and user.est_verrouille():
                fin = timezone.localtime(user.verrouille_jusqu_au)
                raise forms.ValidationError(
                    MESSAGE_VERROUILLAGE.format(fin=f"{fin:%d/%m/%Y à %H:%M}"), code="verrouille"
                ) from None
            raise


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
        return Utilisateur.objects.filter(email=Utilisateur.objects.normalize_email(email), is_active=True)


class NouveauMotDePasseForm(DsfrBaseForm, auth_forms.SetPasswordForm):
    new_password1 = forms.CharField(
        label="Nouveau mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 10 caractères, pas uniquement des chiffres, ni trop proche de vos nom et adresse.",
    )
    new_password2 = forms.CharField(
        label="Confirmation du nouveau mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def save(self, commit=True):  # noqa: FBT002 (Django's signature)
        user = super().save(commit=commit)
        # Setting a new password through the e-mailed link proves ownership: it also lifts a lock-out.
        services.reinitialiser_echecs_connexion(user=user)
        return user


class ChangerMotDePasseForm(DsfrBaseForm, auth_forms.PasswordChangeForm):
    old_password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = NouveauMotDePasseForm.base_fields["new_password1"]
    new_password2 = NouveauMotDePasseForm.base_fields["new_password2"]


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
