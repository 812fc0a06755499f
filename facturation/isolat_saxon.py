"""SaxonC's GraalVM isolate, created with bounded heap options (issue 15: a flux worker ≤ 300 MB).

SaxonC-HE 13 (``saxonche``) is a GraalVM native image: its Java heap lives in an isolate that the first
``PySaxonProcessor`` creates with no options at all (``graal_create_isolate(NULL, …)``). GraalVM then sizes the heap
from the machine's memory, and its young generation fills with each transformation's garbage before the first
collection: +50–125 MB over the compiled rules in every worker (BENCHMARKS.md, fifth and seventh runs), which Python
neither sees nor frees.

GraalVM reads an isolate's heap options from the ``argc`` / ``argv`` of its creation parameters
(``graal_create_isolate_params_t``, version 3 onwards, parsed like a command line: ``-Xmn``, ``-Xmx``, ``-Xms``,
``-XX:MaxRAM``), and SaxonC's C++ layer creates its isolate only while its public static member
``SaxonProcessor::jvmCreatedCPP`` is 0; otherwise it uses the one in ``SaxonProcessor::sxn_environ`` (both declared
in SaxonC's ``SaxonProcessor.h``; ``sxnc_environment`` in ``SaxonCGlue.h``). So ``creer`` creates the isolate
itself, with the options, and hands it to SaxonC before its first processor. SaxonC never tears its isolate down
(``SaxonProcessor::release`` only detaches the thread), so the one created here lives as long as the process, as
SaxonC's own would.

The options are ``OPTIONS`` unless the ``CHORUS_SAXON_OPTIONS`` environment variable gives others (separated by
spaces; empty: GraalVM's defaults, for a comparison): only the heap sizes ``-Xmn``, ``-Xms`` and ``-Xmx``, since
GraalVM ignores an unknown ``-X`` option silently and ends the process on an unknown ``-XX:`` one."""

import ctypes
import os
import re
import shlex
from pathlib import Path

import saxonche

# Measured (BENCHMARKS.md « SaxonC's heap bounded »): the young generation is where each transformation's garbage
# accumulates before a collection. In one process checking 400 CII invoices after django.setup(), GraalVM's default
# let it grow ~80 MB over the compiled rules (peak 297–305 MB); 32 MB keeps it within ~10 MB of them (peak 192–196
# MB) for about the same time per invoice; 16 MB peaked higher while compiling (200–210 MB) and ran slower. No
# maximum heap: every rule set of the portal compiled in one process needs less than 192 MB of it, and a Java
# OutOfMemoryError ends the whole process (GraalVM's « Unhandled exception », exit code 99), not just the document.
OPTIONS = ("-Xmn32m",)
VARIABLE = "CHORUS_SAXON_OPTIONS"
_OPTION = re.compile(r"-Xm[nsx]\d+[kKmMgG]?")

# The version of ``graal_create_isolate_params_t`` whose fields are declared below (``argc`` / ``argv`` appeared in
# version 3; later versions only append fields, which GraalVM reads only when ``version`` announces them).
_VERSION_PARAMETRES = 3


class _Parametres(ctypes.Structure):
    """``graal_create_isolate_params_t`` up to its version 3 fields (graal_isolate.h)."""

    _fields_ = [
        ("version", ctypes.c_int),
        ("reserved_address_space_size", ctypes.c_size_t),
        ("auxiliary_image_path", ctypes.c_char_p),
        ("auxiliary_image_reserved_space_size", ctypes.c_size_t),
        ("argc", ctypes.c_int),
        ("argv", ctypes.POINTER(ctypes.c_char_p)),
        ("pkey", ctypes.c_int),
    ]


class _Environnement(ctypes.Structure):
    """SaxonC's ``sxnc_environment`` (SaxonCGlue.h): the isolate, the current and the main isolate threads."""

    _fields_ = [("isolate", ctypes.c_void_p), ("thread", ctypes.c_void_p), ("mainthread", ctypes.c_void_p)]


class IsolatSaxonIndisponible(RuntimeError):
    """The installed saxonche does not expose what ``creer`` needs (another layout than SaxonC-HE 13)."""


def options() -> list[str]:
    """The isolate's options: ``CHORUS_SAXON_OPTIONS`` when set (even empty), else ``OPTIONS``. Raises
    ``ValueError`` naming the variable for anything but a heap size."""
    valeur = os.environ.get(VARIABLE)
    if valeur is None:
        return list(OPTIONS)
    arguments = shlex.split(valeur)
    refusees = [a for a in arguments if not _OPTION.fullmatch(a)]
    if refusees:
        raise ValueError(
            f"{VARIABLE} : option(s) non prise(s) en charge {refusees} ; seules les tailles de tas -Xmn, -Xms et -Xmx "
            "sont acceptées (par exemple « -Xmn16m »)."
        )
    return arguments


def _bibliotheque_saxonc() -> ctypes.CDLL:
    """SaxonC's C++ library as saxonche ships it (``saxonche.libs/libsaxonc-he-<hash>.so.<version>``), already
    loaded by ``import saxonche``: ``dlopen`` returns the same handle."""
    dossier = Path(saxonche.__file__).parent / "saxonche.libs"
    candidats = sorted(dossier.glob("libsaxonc-he-*.so*"))
    if len(candidats) != 1:
        raise IsolatSaxonIndisponible(f"bibliothèque SaxonC introuvable ou ambiguë dans {dossier} : {candidats}")
    return ctypes.CDLL(str(candidats[0]))


def _statiques(bibliotheque: ctypes.CDLL) -> tuple[ctypes.c_int, ctypes.c_void_p]:
    try:
        cree = ctypes.c_int.in_dll(bibliotheque, "_ZN14SaxonProcessor13jvmCreatedCPPE")
        environnement = ctypes.c_void_p.in_dll(bibliotheque, "_ZN14SaxonProcessor11sxn_environE")
    except ValueError as exc:
        raise IsolatSaxonIndisponible(f"SaxonC n'expose pas son isolat GraalVM : {exc}") from exc
    return cree, environnement


# Kept for the life of the process: GraalVM and SaxonC hold pointers into them.
_garde: list = []
# The options of the isolate ``creer`` created in this process (None: not created here).
options_de_l_isolat: list[str] | None = None


def creer(arguments: list[str] | None = None) -> bool:
    """Create SaxonC's isolate with ``arguments`` (``options()`` by default) unless it exists already in this process
    (created by an earlier processor, or inherited over a fork: a forked child goes on with its copy, as before).
    Returns whether it was created here. Raises ``IsolatSaxonIndisponible`` if saxonche's layout is not SaxonC 13's,
    and ``RuntimeError`` if GraalVM refuses the options."""
    bibliotheque = _bibliotheque_saxonc()
    cree, environnement = _statiques(bibliotheque)
    if cree.value:
        return False
    arguments = options() if arguments is None else list(arguments)
    # argv[0] is the program's name, which GraalVM skips as it would a command line's.
    argv = (ctypes.c_char_p * (len(arguments) + 2))(b"saxonc", *(a.encode() for a in arguments), None)
    parametres = _Parametres(version=_VERSION_PARAMETRES, argc=len(arguments) + 1, argv=argv)
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    # Allocated as SaxonC allocates its own (C heap, never freed): its C++ code owns the pointer from now on.
    adresse = libc.malloc(ctypes.sizeof(_Environnement))
    if not adresse:
        raise MemoryError("sxnc_environment")
    env = _Environnement.from_address(adresse)
    isolat, fil = ctypes.c_void_p(), ctypes.c_void_p()
    creer_isolat = bibliotheque.graal_create_isolate
    creer_isolat.argtypes = [
        ctypes.POINTER(_Parametres),
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_void_p),
    ]
    creer_isolat.restype = ctypes.c_int
    code = creer_isolat(ctypes.byref(parametres), ctypes.byref(isolat), ctypes.byref(fil))
    if code != 0:
        raise RuntimeError(f"GraalVM refuse de créer l'isolat de SaxonC avec {arguments} (code {code})")
    env.isolate, env.thread, env.mainthread = isolat.value, fil.value, fil.value
    _garde.extend([argv, parametres])
    environnement.value = adresse
    cree.value = 1
    global options_de_l_isolat
    options_de_l_isolat = arguments
    return True
