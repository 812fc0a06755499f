"""Placeholder replaced by the branch that builds these pages."""

from django.http import Http404


def _absent(*args, **kwargs):
    raise Http404


suivi = telecharger = visualiser = telecharger_piece_jointe = agir = dossier = _absent
