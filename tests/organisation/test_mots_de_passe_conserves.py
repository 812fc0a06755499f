"""A new password is kept when another field is refused, and emptied when it is itself refused (issue 14
item 10)."""

from organisation.forms import CreerCompteForm

SOLIDE = "Un-Mot-De-Passe-Solide-2026"


def _formulaire(**donnees):
    form = CreerCompteForm(
        data={
            "email": "c@exemple.fr",
            "prenom": "Claire",
            "nom": "Martin",
            "type_identifiant": "SIRET",
            "type_structure": "PRIVEE",
            "siret": "123",
            **donnees,
        }
    )
    assert not form.is_valid()
    return form


def test_un_siret_refuse_garde_les_mots_de_passe(db):
    form = _formulaire(password1=SOLIDE, password2=SOLIDE)
    assert "siret" in form.errors
    assert f'value="{SOLIDE}"' in str(form["password1"]) and f'value="{SOLIDE}"' in str(form["password2"])


def test_un_mot_de_passe_refuse_est_a_ressaisir(db):
    form = _formulaire(password1=SOLIDE, password2=SOLIDE + "x")
    assert "password2" in form.errors
    assert "value=" not in str(form["password1"]) and "value=" not in str(form["password2"])
