"""Placeholder replaced by the branch that builds these pages."""

from django.http import Http404


def _absent(*args, **kwargs):
    raise Http404


synthese = rechercher = exporter = tableau_de_bord = _absent
