"""Where the portal's files live (deposited invoices, generated Factur-X, attachments, works pieces, flux lots):
the local disk under ``MEDIA_ROOT`` by default, or an S3-compatible object store (``CHORUS_STOCKAGE=s3``) so that
several web and worker machines share them.

Every reader and writer goes through Django's storage API (``FieldFile.open``, ``default_storage.open``), never
through a path on disk: an object in a bucket has none. Documents are always served by the portal itself
(``chorus.fichiers.telechargement``), never by a public or signed URL of the bucket.

Read by the settings (``stockage_par_defaut``), so it imports nothing of Django's configuration.
"""

from django.core.exceptions import ImproperlyConfigured

from chorus.env import env_str

DISQUE = "disque"
S3 = "s3"
BACKEND_DISQUE = "django.core.files.storage.FileSystemStorage"
BACKEND_S3 = "storages.backends.s3.S3Storage"


def stockage_par_defaut() -> dict:
    """The ``STORAGES["default"]`` entry chosen by ``CHORUS_STOCKAGE`` (``disque``, the default, or ``s3``)."""
    choix = (env_str("CHORUS_STOCKAGE") or DISQUE).strip().lower()
    if choix == DISQUE:
        return {"BACKEND": BACKEND_DISQUE}
    if choix != S3:
        raise ImproperlyConfigured(f"CHORUS_STOCKAGE doit valoir « disque » ou « s3 » (reçu : {choix!r}).")
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured("CHORUS_STOCKAGE=s3 demande AWS_STORAGE_BUCKET_NAME (le compartiment des fichiers).")
    endpoint = env_str("AWS_S3_ENDPOINT_URL") or None
    return {"BACKEND": BACKEND_S3, "OPTIONS": options_s3(bucket=bucket, endpoint_url=endpoint)}


def options_s3(*, bucket: str, endpoint_url: str | None, **surcharges) -> dict:
    """django-storages' options for the portal's bucket. Keys left empty are found by boto3 itself (instance
    role, ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` in the environment, ``~/.aws``)."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
        # A prefix inside the bucket (several portals, or the bucket shared with something else).
        "location": env_str("AWS_LOCATION", ""),
        # Two deposits may carry the same file name: like the local disk, a new object gets a new key instead of
        # replacing the legal original of another invoice (django-storages overwrites by default).
        "file_overwrite": False,
        # Private objects: the bucket's policy decides, no ACL is sent (many S3 services refuse ACLs).
        "default_acl": None,
        # S3-compatible servers other than AWS (MinIO, Ceph, Garage, moto) are addressed by path, not by a
        # bucket sub-domain the local DNS does not know.
        "addressing_style": "path" if endpoint_url else None,
    }
    options.update(surcharges)
    return options


def est_local(stockage) -> bool:
    """Whether ``stockage`` keeps its files on this machine's disk (has real paths): backups archive them."""
    try:
        stockage.path("")
    except NotImplementedError:
        return False
    return True
