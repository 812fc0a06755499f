// « Saisir facture »: the recipient found inside the form (issue 14 item 2). Without JavaScript, « Rechercher une
// structure » and the « Choisir » buttons re-render the form on the server; here the same fragments are fetched and
// put in place, the live region says how many structures were found, and the arrow keys move through the results.
(function () {
  "use strict";
  var bloc = document.getElementById("recherche-destinataire");
  if (!bloc || !window.fetch) {
    return;
  }
  var form = bloc.closest("form");
  var champ = document.getElementById("id_recherche_destinataire");
  var bouton = document.getElementById("bouton-recherche-destinataire");
  var resultats = document.getElementById("resultats-destinataires");
  var annonce = document.getElementById("annonce-destinataires");
  var services = document.getElementById("services-destinataire");
  var siret = document.getElementById("id_destinataire_siret");
  var codeService = document.getElementById("id_code_service");

  function radioEtat(valeur) {
    return form.querySelector("input[name=destinataire_etat][value=" + valeur + "]");
  }

  function charger(url, params) {
    return fetch(url + "?" + new URLSearchParams(params).toString(), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (reponse) { return reponse.text(); });
  }

  function rechercher() {
    charger(bloc.dataset.url, { recherche_destinataire: champ.value })
      .then(function (html) {
        resultats.innerHTML = html;
        var fragment = resultats.firstElementChild;
        annonce.textContent = fragment ? fragment.dataset.annonce : "";
      })
      .catch(function () {
        annonce.textContent = "La recherche n'a pas abouti : réessayez.";
      });
  }

  function chargerServices(focus) {
    var etat = radioEtat("oui") && radioEtat("oui").checked ? "oui" : "non";
    return charger(bloc.dataset.urlServices, { destinataire_etat: etat, destinataire_siret: siret.value })
      .then(function (html) {
        services.innerHTML = html;
        var titre = document.getElementById("titre-destinataire-choisi");
        if (titre && focus) {
          titre.focus();
        }
        return titre;
      });
  }

  bouton.addEventListener("click", function (event) {
    event.preventDefault();
    rechercher();
  });

  champ.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches, it does not send the whole form
      rechercher();
    } else if (event.key === "ArrowDown") {
      var premier = resultats.querySelector("button[name=choisir_destinataire]");
      if (premier) {
        event.preventDefault();
        premier.focus();
      }
    }
  });

  // Up and down arrows move between the results; Escape goes back to the search field.
  resultats.addEventListener("keydown", function (event) {
    var boutons = Array.prototype.slice.call(resultats.querySelectorAll("button[name=choisir_destinataire]"));
    var index = boutons.indexOf(document.activeElement);
    if (index < 0) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var suivant = index + (event.key === "ArrowDown" ? 1 : -1);
      if (suivant >= 0 && suivant < boutons.length) {
        boutons[suivant].focus();
      } else if (suivant < 0) {
        champ.focus();
      }
    } else if (event.key === "Escape") {
      champ.focus();
    }
  });

  resultats.addEventListener("click", function (event) {
    var choix = event.target.closest("button[name=choisir_destinataire]");
    if (!choix) {
      return;
    }
    event.preventDefault();
    var etat = choix.value === form.dataset.siretEtat;
    if (radioEtat(etat ? "oui" : "non")) {
      radioEtat(etat ? "oui" : "non").checked = true; // the State is chosen by its question, as the server does
    }
    siret.value = etat ? "" : choix.value;
    codeService.value = "";
    resultats.innerHTML = "";
    chargerServices(true).then(function (titre) {
      annonce.textContent = titre ? titre.textContent + " : choisissez son service si nécessaire." : "";
    });
  });

  services.addEventListener("click", function (event) {
    var choix = event.target.closest("button[name=choisir_service]");
    if (!choix) {
      return;
    }
    event.preventDefault();
    codeService.value = choix.value;
    annonce.textContent = "Service choisi : " + choix.value + ".";
  });

  // A SIRET typed by hand, or « Le destinataire est-il l'État ? » answered: the services of that recipient.
  siret.addEventListener("change", function () { chargerServices(false); });
  Array.prototype.forEach.call(form.querySelectorAll("input[name=destinataire_etat]"), function (radio) {
    radio.addEventListener("change", function () { chargerServices(false); });
  });
})();
