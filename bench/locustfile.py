"""Concurrent users of the portal (issue 15, goal 3): a locust scenario against a running server.

    .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8000 --headless --users 200 --spawn-rate 20 \
        --run-time 5m

``bench/charge.py`` starts the production configuration, loads the demo data and runs this file. Every user logs in
as one of the demo accounts (``charger_demo*``, password ``Demo-Chorus-2026``) and loops over its journey: the
supplier (Synthèse, Rechercher, an invoice, Tableau de bord, a draft saved through « Saisir facture »), the
recipient (« Factures reçues » Synthèse, Rechercher, Tableau de bord, an invoice, « Prendre en compte »), the
valideur (« Factures à valider »), the MOE and the MOA (« Factures de travaux »), the sollicitations of both
sides; one ERP deposits CII lots through ``deposer/flux`` (OAuth2 client credentials + technical account, as
an integrator does) and reads their report. Request names (« fournisseur: Synthèse »…) are the rows of the
report: one per page, so that p95 is per page.

Requests go to gunicorn directly, as the TLS proxy of a deployment does: ``X-Forwarded-Proto: https`` (the
production settings redirect plain HTTP) and an ``Origin`` of the same host (Django's CSRF check of an HTTPS
request); the session and CSRF cookies are ``Secure``, so the cookie jar is told to send them over loopback.

Environment: ``CHORUS_CHARGE_LOT`` (invoices per ERP lot, default 20), ``CHORUS_CHARGE_PAUSE_ERP`` (seconds
between two lots, default 20), ``CHORUS_CHARGE_PAUSE`` (a user's think time, « min,max » seconds, default 1,3).
"""

import base64
import io
import itertools
import os
import random
import re
import tarfile
import uuid
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, constant, task

MOT_DE_PASSE = "Demo-Chorus-2026"
FOURNISSEUR = "fournisseur@demo.chorus-pro.fr"
DESTINATAIRE = "destinataire@demo.chorus-pro.fr"
TITULAIRE = "titulaire@demo.chorus-pro.fr"
MOE = "moe@demo.chorus-pro.fr"
MOA = "moa@demo.chorus-pro.fr"
# The demo's ERP (organisation/management/commands/charger_demo_api.py).
CLIENT_ID = "demo-erp"
CLIENT_SECRET = "demo-erp-secret_0123456789"  # the demo's published secret
LOGIN_TECHNIQUE = "TECH_1_batiments-martin@cpro.fr"
MOT_DE_PASSE_TECHNIQUE = "Demo-Api_2026"
# The test CII: seller Bâtiments Martin SAS, buyer the State (service DRFIP_IDF), as in the demo.
MODELE_CII = Path(__file__).resolve().parent.parent / "tests" / "facturation" / "data" / "facture_cii_valide.xml"
NUMERO_MODELE = b"FAC-2026-0117"

_min, _max = (float(x) for x in os.environ.get("CHORUS_CHARGE_PAUSE", "1,3").split(","))
PAUSE = between(_min, _max)


def _champs_caches(html: str, form_marker: str = "csrfmiddlewaretoken") -> dict:
    """The hidden inputs of the page (the CSRF token, ``statut_vu``…)."""
    champs = {}
    for balise in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' not in balise:
            continue
        nom = re.search(r'name="([^"]+)"', balise)
        valeur = re.search(r'value="([^"]*)"', balise)
        if nom:
            champs[nom.group(1)] = unescape(valeur.group(1)) if valeur else ""
    if form_marker not in champs:
        raise ValueError("pas de jeton CSRF dans la page")
    return champs


def _premiere_option(html: str, nom: str) -> str:
    select = re.search(rf'<select[^>]*name="{nom}"[^>]*>(.*?)</select>', html, re.S)
    if not select:
        raise ValueError(f"pas de liste « {nom} » dans la page")
    valeurs = [v for v in re.findall(r'<option[^>]*value="([^"]+)"', select.group(1)) if v]
    if not valeurs:
        raise ValueError(f"liste « {nom} » vide")
    return valeurs[0]


def _liens(html: str, motif: str) -> list[str]:
    return sorted(set(re.findall(motif, html)))


class PortailUser(HttpUser):
    """A logged-in user of the portal; subclasses say who and what it does."""

    abstract = True
    wait_time = PAUSE
    email = ""

    def on_start(self):
        hote = urlsplit(self.host).netloc
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": f"https://{hote}"})
        self.connecter(self.email)

    def _cookies_sur_boucle_locale(self):
        """Send the ``Secure`` cookies over http: locust stands where the TLS proxy stands, on loopback.
        (A cookie policy would not do: requests copies the session's cookies into a jar of its own per request.)"""
        for cookie in self.client.cookies:
            cookie.secure = False

    def connecter(self, email: str):
        page = self.client.get("/connexion/", name="connexion (page)")
        champs = _champs_caches(page.text)
        self._cookies_sur_boucle_locale()
        with self.client.post(
            "/connexion/",
            data={**champs, "username": email, "password": MOT_DE_PASSE},
            name="connexion",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302 or "/connexion/" in r.headers.get("Location", ""):
                r.failure(f"connexion de {email} refusée ({r.status_code})")
            else:
                r.success()

    def page(self, url: str, nom: str, attendu: str = "") -> str:
        """GET a page: a failure unless it answers 200 (a redirect to the login page would hide a lost session)
        and contains ``attendu``."""
        self._cookies_sur_boucle_locale()
        with self.client.get(url, name=nom, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                # status 0: no answer (connection reset, refused…): locust's own error says which
                r.failure(f"{r.status_code} {r.headers.get('Location', '')} {r.error or ''}")
            elif attendu and attendu not in r.text:
                r.failure(f"« {attendu} » absent de la page")
            else:
                r.success()
            return r.text

    def poster(self, url: str, nom: str, donnees: dict) -> None:
        """POST a form: the portal answers by a redirect (302) when it accepted it."""
        self._cookies_sur_boucle_locale()
        with self.client.post(url, data=donnees, name=nom, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                erreurs = re.findall(r'class="fr-error-text"[^>]*>\s*([^<]+)', r.text)[:3]
                r.failure(f"{r.status_code} {erreurs}")
            else:
                r.success()


class _Espace(PortailUser):
    """The three pages of a space (``espace``, its URL): Synthèse, Rechercher then one of the items it lists, and
    Tableau de bord. A subclass weighs them in its ``tasks``; request names are « <role>: <rubrique>Synthèse »…"""

    abstract = True
    espace = ""
    role = ""
    rubrique = ""
    titre = ""  # text the Synthèse must contain
    element = ""  # request name of an item, after « <role>: »
    chemin_element = ""  # an item's URL is ``<espace><chemin_element><id>/``

    def synthese(self):
        self.page(self.espace, f"{self.role}: {self.rubrique}Synthèse", self.titre)

    def rechercher_et_consulter(self):
        html = self.page(f"{self.espace}rechercher/", f"{self.role}: {self.rubrique}Rechercher")
        elements = _liens(html, rf'href="({re.escape(self.espace + self.chemin_element)}\d+/)"')
        if elements:
            self.page(random.choice(elements), f"{self.role}: {self.element}")

    def tableau_de_bord(self):
        self.page(f"{self.espace}tableau-de-bord/", f"{self.role}: {self.rubrique}Tableau de bord")


class _Factures(_Espace):
    abstract = True
    weight = 5
    element = "une facture"
    tasks = {_Espace.synthese: 3, _Espace.rechercher_et_consulter: 3, _Espace.tableau_de_bord: 1}


class Fournisseur(_Factures):
    """« Factures émises » of Bâtiments Martin SAS's simple user."""

    email = FOURNISSEUR
    espace = "/factures-emises/"
    role = "fournisseur"
    titre = "Factures émises"

    @task(1)
    def rechercher_filtre(self):
        self.page("/factures-emises/rechercher/?statut=MISE_A_DISPOSITION", "fournisseur: Rechercher (statut)")

    @task(1)
    def saisir_brouillon(self):
        html = self.page("/factures-emises/saisir/", "fournisseur: Saisir (page)")
        donnees = {
            **_champs_caches(html),
            "destinataire_etat": "oui",
            "destinataire_siret": "",
            "code_service": "DRFIP_IDF",
            "fournisseur": _premiere_option(html, "fournisseur"),
            "coordonnees_bancaires": _premiere_option(html, "coordonnees_bancaires"),
            "cadre": "A1_FACTURE_FOURNISSEUR",
            "valideur_siret": "",
            "type_facture": "FACTURE",
            "numero": f"CHARGE-{uuid.uuid4().hex[:12]}",
            "date_facture": (date.today() - timedelta(days=1)).isoformat(),
            "devise": "EUR",
            "type_tva": "TVA_SUR_DEBIT",
            "numero_marche": "M-2026-12",
            "numero_engagement": "EJ-0042",
            "mode_paiement": "VIREMENT",
            "lignes-TOTAL_FORMS": "1",
            "lignes-INITIAL_FORMS": "0",
            "lignes-MIN_NUM_FORMS": "1",
            "lignes-MAX_NUM_FORMS": "500",
            "lignes-0-reference": "MO-1",
            "lignes-0-denomination": "Main d'œuvre",
            "lignes-0-quantite": "10",
            "lignes-0-unite": "HUR",
            "lignes-0-prix_unitaire_ht": "12,50",
            "lignes-0-taux_tva": "20",
            "action": "enregistrer",
        }
        self.poster("/factures-emises/saisir/", "fournisseur: Saisir (enregistrer le brouillon)", donnees)


class Destinataire(_Factures):
    """« Factures reçues » of the State's agent (service DRFIP_IDF) and GP of the Commune de Saint-Martin."""

    email = DESTINATAIRE
    espace = "/factures-recues/"
    role = "destinataire"
    titre = "Factures reçues"

    @task(1)
    def prendre_en_compte(self):
        """Change a status: « Prendre en compte » an invoice made available (the ERP's lots keep adding some).
        When another user took it first, the portal says so by the same redirect: not an error."""
        html = self.page(
            "/factures-recues/rechercher/?statut=MISE_A_DISPOSITION", "destinataire: Rechercher (à prendre en compte)"
        )
        factures = _liens(html, r'href="/factures-recues/(\d+)/"')
        if not factures:
            return
        url = f"/factures-recues/{random.choice(factures)}/traiter/PRISE_EN_COMPTE_DESTINATAIRE/"
        self._cookies_sur_boucle_locale()
        with self.client.get(url, name="destinataire: Traiter (page)", allow_redirects=False, catch_response=True) as r:
            if r.status_code == 302:  # already taken into account by another user: its page says so
                r.success()
                return
            if r.status_code != 200:
                r.failure(str(r.status_code))
                return
            r.success()
            champs = _champs_caches(r.text)
        self.poster(url, "destinataire: Traiter (prendre en compte)", {**champs, "commentaire": "Charge"})


class Valideur(PortailUser):
    """« Factures à valider » of the titulaire (Durand Construction)."""

    weight = 1
    email = TITULAIRE

    @task
    def liste_et_detail(self):
        html = self.page("/factures-a-valider/", "valideur: Factures à valider")
        factures = _liens(html, r'href="(/factures-a-valider/\d+/)"')
        if factures:
            self.page(random.choice(factures), "valideur: une facture")


class _Travaux(_Espace):
    abstract = True
    weight = 1
    espace = "/factures-travaux/"
    rubrique = "Factures de travaux "
    element = "une pièce de travaux"
    chemin_element = "pieces/"
    tasks = {_Espace.synthese: 2, _Espace.rechercher_et_consulter: 2, _Espace.tableau_de_bord: 1}


class MaitriseOeuvre(_Travaux):
    email = MOE
    role = "MOE"


class MaitriseOuvrage(_Travaux):
    email = MOA
    role = "MOA"


class _Sollicitations(_Espace):
    """One task walks the whole space: Synthèse, Rechercher and an item, Tableau de bord where the side has one."""

    abstract = True
    weight = 1
    role = "sollicitations"
    avec_tableau_de_bord = False

    @task
    def parcours(self):
        self.synthese()
        self.rechercher_et_consulter()
        if self.avec_tableau_de_bord:
            self.tableau_de_bord()


class SollicitationsFournisseur(_Sollicitations):
    """The supplier's user follows the sollicitations it sent."""

    email = FOURNISSEUR
    espace = "/sollicitations-emises/"
    rubrique = "émises "
    element = "une émise"


class SollicitationsDestinataire(_Sollicitations):
    """The recipient's agent reads the sollicitations it received."""

    email = DESTINATAIRE
    espace = "/sollicitations-recues/"
    rubrique = "reçues "
    element = "une reçue"
    avec_tableau_de_bord = True


class Erp(HttpUser):
    """One integrator's ERP: a CII lot through ``deposer/flux`` every ``CHORUS_CHARGE_PAUSE_ERP`` seconds, then
    the report of the previous lot (``consulterCRDetaille``)."""

    fixed_count = 1
    wait_time = constant(float(os.environ.get("CHORUS_CHARGE_PAUSE_ERP", "20")))
    _lots = itertools.count()

    def on_start(self):
        self.client.headers.update({"X-Forwarded-Proto": "https"})
        self.modele = MODELE_CII.read_bytes()
        self.precedent = None
        r = self.client.post(
            "/api/oauth/token",
            data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
            name="ERP: jeton OAuth2",
        )
        jeton = r.json()["access_token"] if r.status_code == 200 else "refusé"
        compte = base64.b64encode(f"{LOGIN_TECHNIQUE}:{MOT_DE_PASSE_TECHNIQUE}".encode()).decode()
        self.entetes = {"Authorization": f"Bearer {jeton}", "cpro-account": compte}

    def _lot(self) -> bytes:
        prefixe = f"CH{uuid.uuid4().hex[:8]}-".encode()
        tampon = io.BytesIO()
        with tarfile.open(fileobj=tampon, mode="w:gz") as archive:
            for i in range(int(os.environ.get("CHORUS_CHARGE_LOT", "20"))):
                contenu = self.modele.replace(NUMERO_MODELE, prefixe + f"{i:04d}".encode())
                info = tarfile.TarInfo(f"facture_{i:04d}.xml")
                info.size = len(contenu)
                archive.addfile(info, io.BytesIO(contenu))
        return tampon.getvalue()

    def _api(self, chemin: str, corps: dict, nom: str) -> dict | None:
        """POST to the API: a failure unless it answers 200 with ``codeRetour`` 0; the answer's JSON if it did."""
        with self.client.post(chemin, json=corps, headers=self.entetes, name=nom, catch_response=True) as r:
            if r.status_code != 200 or r.json().get("codeRetour") != 0:
                r.failure(f"{r.status_code} {r.text[:200]}")
                return None
            r.success()
            return r.json()

    @task
    def deposer_un_lot(self):
        if self.precedent:
            self._api(
                "/cpro/transverses/v1/consulterCRDetaille",
                {"numeroFluxDepot": self.precedent},
                "ERP: consulterCRDetaille",
            )
        corps = {
            "fichierFlux": base64.b64encode(self._lot()).decode(),
            "nomFichier": f"lot-{next(self._lots)}.tar.gz",
            "syntaxeFlux": "IN_DP_E1_CII_16B",
            "avecSignature": False,
            "idUtilisateurCourant": 0,
        }
        reponse = self._api("/cpro/factures/v1/deposer/flux", corps, "ERP: deposer/flux (lot CII)")
        if reponse is not None:
            self.precedent = reponse["numeroFluxDepot"]


def _parcours_complets():
    """For tests/integration/test_charge.py: each iteration runs every task of the user once, in order, so that a
    short run makes every journey's requests whatever the draw (the weights matter for the load, not for it), and
    one user of each class when there are as many users as classes."""
    for classe in (
        Fournisseur,
        Destinataire,
        Valideur,
        MaitriseOeuvre,
        MaitriseOuvrage,
        SollicitationsFournisseur,
        SollicitationsDestinataire,
    ):
        originales = list(dict.fromkeys(classe.tasks))

        def parcours_complet(user, originales=originales):
            for tache in originales:
                tache(user)

        classe.tasks = [parcours_complet]
        classe.weight = 1  # with as many users as classes, one user of each


if os.environ.get("CHORUS_CHARGE_PARCOURS_COMPLET"):
    _parcours_complets()
