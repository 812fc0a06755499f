// « Rechercher une structure » inside the deposit form: without this script the search opens its results page and
// the SIRET fields are typed; with it, the results show under the search and « Choisir » fills the chosen field.
(function () {
  "use strict";
  var recherche = document.getElementById("recherche-structure");
  var resultats = document.getElementById("resultats-structures");
  if (!recherche || !resultats) { return; }

  recherche.addEventListener("submit", function (evenement) {
    evenement.preventDefault();
    var parametres = new URLSearchParams(new FormData(recherche));
    parametres.set("partiel", "1");
    fetch(recherche.action + "?" + parametres.toString(), { credentials: "same-origin" })
      .then(function (reponse) { if (!reponse.ok) { throw new Error(); } return reponse.text(); })
      .then(function (html) { resultats.innerHTML = html; })
      .catch(function () { recherche.submit(); });
  });

  resultats.addEventListener("click", function (evenement) {
    var bouton = evenement.target.closest("button[data-siret]");
    if (!bouton) { return; }
    // The field chosen now in « Acteur à renseigner », not the one of the search that listed these results: a user
    // who changes the select after searching fills the field they see selected.
    var selection = document.getElementById("recherche-cible");
    var cible = selection ? selection.value : bouton.getAttribute("data-cible");
    var champ = document.getElementById("id_" + cible);
    if (!champ) { return; }
    champ.value = bouton.getAttribute("data-siret");
    if (cible === "destinataire") {
      var services = bouton.closest("tr").querySelectorAll(".chorus-service");
      var code = document.getElementById("id_code_service");
      if (code && services.length === 1) { code.value = services[0].getAttribute("data-code"); }
    }
    champ.focus();
  });
})();
