"""Serializer fields with Chorus Pro's JSON types, for the request serializers of every endpoint (``Requete``).

They validate as the real clients need: absent or ``null`` is the default (false/0/empty), a value of the wrong
JSON type is refused with the end of a French sentence (« doit être un entier. ») that the exception handler turns
into « Le champ « chemin.du.champ » doit être un entier. », and unknown keys are ignored. Tolerances seen in real
clients are kept: ids as numeric strings, booleans as ``"true"``/``"false"``, a single object where a list is
expected. The conversions are ``chorus.api.kit``'s, shared with the ``Corps`` reader of the views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chorus.api.kit import (
    ENTIER_MAX,
    Refus,
    lire_booleen,
    lire_date,
    lire_entier,
    lire_entiers,
    lire_montant,
    lire_objets,
    lire_texte,
    lire_textes,
)

MESSAGES = {"required": "est obligatoire.", "null": "est obligatoire.", "invalid": "est invalide."}


class _Champ(serializers.Field):
    """Optional and nullable unless ``requis=True`` (then absent, ``null`` and blank are « obligatoire »)."""

    def __init__(self, *, requis: bool = False, **options):
        self.requis = requis
        options.setdefault("required", requis)
        options.setdefault("allow_null", not requis)
        options.setdefault("error_messages", MESSAGES)
        super().__init__(**options)

    def convertir(self, valeur):
        raise NotImplementedError

    def to_internal_value(self, data):
        try:
            return self.convertir(data)
        except Refus as refus:
            raise serializers.ValidationError(str(refus)) from None

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "integer", "format": "int64", "minimum": -ENTIER_MAX, "maximum": ENTIER_MAX})
class Entier(_Champ):
    """A JSON integer (a string of digits is accepted: some clients send ids as strings)."""

    def convertir(self, valeur):
        return lire_entier(valeur)


@extend_schema_field(OpenApiTypes.STR)
class Texte(_Champ):
    """A string (a number is accepted and read as its text), stripped."""

    def convertir(self, valeur):
        return lire_texte(valeur, obligatoire=self.requis)


@extend_schema_field(OpenApiTypes.BOOL)
class Booleen(_Champ):
    def convertir(self, valeur):
        return lire_booleen(valeur)


@extend_schema_field({"type": "number"})
class Montant(_Champ):
    """A JSON number (amounts; a string such as « 12,50 » is accepted)."""

    def convertir(self, valeur):
        return lire_montant(valeur)


@extend_schema_field({"type": "string", "description": "AAAA-MM-JJ ou RFC 3339", "example": "2026-01-31"})
class Date(_Champ):
    def convertir(self, valeur):
        resultat = lire_date(valeur)
        if resultat is None and self.requis:
            raise Refus("est obligatoire.")
        return resultat


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class Textes(_Champ):
    """A list of strings (a single string is a list of one)."""

    def convertir(self, valeur):
        return lire_textes(valeur)


@extend_schema_field({"type": "array", "items": {"type": "integer", "format": "int64"}})
class Entiers(_Champ):
    """A list of integers (ids; a single integer is a list of one)."""

    def convertir(self, valeur):
        return lire_entiers(valeur)


class Requete(serializers.Serializer):
    """A request body or one of its objects: declared fields are validated, unknown keys ignored; ``null`` for an
    optional object is an empty one."""

    def __init__(self, *args, requis: bool = False, **options):
        if "data" not in options and not args:
            options.setdefault("required", requis)
            options.setdefault("allow_null", not requis)
            options.setdefault("error_messages", {**MESSAGES, "invalid": "doit être un objet."})
        super().__init__(*args, **options)

    default_error_messages = {"invalid": "doit être un objet."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["doit être un objet."]})
        return super().to_internal_value(data)


class ListeObjets(serializers.ListField):
    """A list of ``enfant`` objects; a single object is accepted as a list of one (clients differ)."""

    def __init__(self, enfant: type[Requete], **options):
        options.setdefault("required", False)
        options.setdefault("allow_null", True)
        options.setdefault("error_messages", MESSAGES)
        super().__init__(child=enfant(), **options)

    def to_internal_value(self, data):
        try:
            objets = lire_objets(data)
        except Refus as refus:
            raise serializers.ValidationError(str(refus)) from None
        erreurs, resultats = [], []
        for objet in objets:
            serialiseur = type(self.child)(data=objet)
            if serialiseur.is_valid():
                resultats.append(serialiseur.validated_data)
                erreurs.append({})
            else:
                erreurs.append(serialiseur.errors)
        if any(erreurs):
            raise serializers.ValidationError(erreurs)
        return resultats

    def to_representation(self, data):
        return data


class Pagination(Requete):
    """The search parameters every search service shares (under a name of its own: ``parametres``,
    ``rechercheFactureParFournisseur``…)."""

    nbResultatsParPage = Entier()
    pageResultatDemandee = Entier()
    triColonne = Texte()
    triSens = Texte()
    triSense = Texte()


class Vide(Requete):
    """A service without request fields (clients send ``{}``; any key is ignored)."""


class CodeLangue(Requete):
    """The reference lists that clients ask for in a language (the portal answers in French)."""

    codeLangue = Texte()
