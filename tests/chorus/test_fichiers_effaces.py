"""``chorus.fichiers.effaces_en_cas_d_echec``: the files an operation wrote are deleted when it fails (its rows were
rolled back), kept when it succeeds; a block that succeeded inside one that fails answers to the outer one."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from chorus.fichiers import effaces_en_cas_d_echec, noter_ecriture


class _Fichier:
    """What ``noter_ecriture`` reads of a ``FieldFile``: its storage and its name."""

    def __init__(self, nom: str):
        self.storage = default_storage
        self.name = default_storage.save(nom, ContentFile(b"contenu"))

    def __bool__(self):
        return True


def test_ecrits_effaces_si_le_bloc_echoue_gardes_s_il_reussit():
    with effaces_en_cas_d_echec():
        garde = _Fichier("essais/garde.txt")
        noter_ecriture(garde)
    assert default_storage.exists(garde.name)
    with pytest.raises(RuntimeError), effaces_en_cas_d_echec():
        perdu = _Fichier("essais/perdu.txt")
        noter_ecriture(perdu)
        raise RuntimeError("base coupée")
    assert not default_storage.exists(perdu.name)
    default_storage.delete(garde.name)


def test_bloc_interieur_reussi_efface_quand_l_exterieur_echoue():
    with pytest.raises(RuntimeError), effaces_en_cas_d_echec():
        with effaces_en_cas_d_echec():
            interieur = _Fichier("essais/interieur.txt")
            noter_ecriture(interieur)
        assert default_storage.exists(interieur.name)
        raise RuntimeError("base coupée")
    assert not default_storage.exists(interieur.name)


def test_hors_bloc_rien_n_est_suivi():
    fichier = _Fichier("essais/libre.txt")
    noter_ecriture(fichier)  # no enclosing block: nothing recorded, nothing deleted later
    with pytest.raises(RuntimeError), effaces_en_cas_d_echec():
        raise RuntimeError("échec")
    assert default_storage.exists(fichier.name)
    default_storage.delete(fichier.name)
