"""Placeholder replaced by the branch that builds these pages."""

from django.http import Http404


def _absent(*args, **kwargs):
    raise Http404


deposer = chercher_structures = confirmer = certificat = _absent
