// Live recap of the saisie form: the server computes (Decimal, half-up rounding) and this script only displays.
(function () {
  "use strict";
  var form = document.getElementById("saisie-facture");
  var panneau = document.getElementById("montants-live");
  if (!form || !panneau) { return; }
  var url = panneau.getAttribute("data-url");
  var minuteur = null;
  var compteur = 0;

  function ecrire(id, texte) {
    var el = document.getElementById(id);
    if (el) { el.textContent = texte; }
  }

  function afficher(donnees, silencieux) {
    var erreurs = document.getElementById("montants-live-erreurs");
    erreurs.textContent = "";
    erreurs.hidden = true;
    if (!donnees.ok) {
      // On opening, an empty or half-typed form is not an error yet: nothing is said before the user acts.
      if (!silencieux) {
        erreurs.textContent = donnees.erreurs.join(" ");
        erreurs.hidden = false;
      }
      return;
    }
    ["total_ht", "total_tva", "total_ttc_avant_remise", "remise_globale_ttc_effective", "total_ttc", "net_a_payer"]
      .forEach(function (nom) { ecrire("live-" + nom, donnees[nom]); });
    var tva = donnees.tva.map(function (t) { return t.taux + " % : base " + t.base_ht + ", TVA " + t.montant_tva; });
    ecrire("live-tva", tva.join(" ; "));
    donnees.lignes.forEach(function (ligne, i) {
      ecrire("live-ligne-" + i, "HT après remise " + ligne.montant_ht + " · TTC " + ligne.montant_ttc);
    });
  }

  function calculer(silencieux) {
    var numero = ++compteur;
    var donnees = new FormData(form);
    donnees.delete("action");
    fetch(url, { method: "POST", body: donnees, credentials: "same-origin" })
      .then(function (reponse) { return reponse.json(); })
      .then(function (resultat) { if (numero === compteur) { afficher(resultat, silencieux === true); } })
      .catch(function () { /* the « Calculer les montants » button stays available */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(minuteur);
    minuteur = setTimeout(function () { calculer(false); }, 300);
  });
  form.addEventListener("change", function () {
    clearTimeout(minuteur);
    minuteur = setTimeout(function () { calculer(false); }, 100);
  });
  calculer(true);
})();
