"""The static files' storage of production: whitenoise's compressed manifest, with each URL computed once.

Every page prints a dozen static URLs (the DSFR's style sheets, scripts and icons, the portal's own), and with a
manifest each ``{% static %}`` cleans the name, looks it up, splits and joins URLs again: ~12 µs each, for an
answer that cannot change while the process runs (the manifest is read once, when the storage is built).
BENCHMARKS.md, « The Python cost of a page »."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class FichiersStatiques(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):  # noqa: FBT002  # Django's signature, overridden
        # With DEBUG (or ``force``) the manifest's answer differs; then nothing is remembered.
        if force or settings.DEBUG:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls.setdefault(name, super().url(name))
        return url
