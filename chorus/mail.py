"""E-mail: every message goes through the outbox, and the development backend keeps a copy on disk."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend

from chorus import outbox

TYPE_COURRIEL = "chorus.email"  # the outbox kind of an e-mail (``ChorusConfig.ready`` registers its handler)


class DevEmailBackend(BaseEmailBackend):
    """Development: print each e-mail on the console and write it to a file under var/mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._console = ConsoleBackend(*args, **kwargs)
        self._file = FileBackend(*args, file_path=settings.EMAIL_FILE_PATH, **kwargs)

    def send_messages(self, email_messages):
        self._console.send_messages(email_messages)
        return self._file.send_messages(email_messages)


def envoyer_email(*, destinataires: list[str], sujet: str, corps: str, html: str = "") -> None:
    """Queue an e-mail in the outbox; it leaves only once the current transaction has committed."""
    outbox.enqueue(TYPE_COURRIEL, {"to": list(destinataires), "subject": sujet, "body": corps, "html": html})


def envoyer_maintenant(*, to: list[str], subject: str, body: str, html: str = "") -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
