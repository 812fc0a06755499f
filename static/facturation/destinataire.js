// « Saisir facture »: the recipient found inside the form (issue 14 item 2). Without JavaScript, « Rechercher une
// structure » and the « Choisir » buttons re-render the form on the server; here the same fragments are fetched and
// put in place, the live region says how many structures were found, and the arrow keys move through the results.
(function () {
  "use strict";
  var bloc = document.getElementById("recherche-destinataire");
  if (!bloc || !window.fetch || !window.Chorus) {
    return;
  }
  var form = bloc.closest("form");
  var page = Chorus.elements({
    champ: "id_recherche_destinataire", bouton: "bouton-recherche-destinataire", resultats: "resultats-destinataires",
    annonce: "annonce-destinataires", services: "services-destinataire", siret: "id_destinataire_siret",
    codeService: "id_code_service"
  });

  function radioEtat(valeur) {
    return form.querySelector("input[name=destinataire_etat][value=" + valeur + "]");
  }

  function charger(url, params) {
    return Chorus.charger(url, params).then(function (reponse) { return reponse.text(); });
  }

  function rechercher() {
    charger(bloc.dataset.url, { recherche_destinataire: page.champ.value })
      .then(function (html) {
        page.resultats.innerHTML = html;
        var fragment = page.resultats.firstElementChild;
        page.annonce.textContent = fragment ? fragment.dataset.annonce : "";
      })
      .catch(function () {
        page.annonce.textContent = "La recherche n'a pas abouti : réessayez.";
      });
  }

  function chargerServices(focus) {
    var etat = radioEtat("oui") && radioEtat("oui").checked ? "oui" : "non";
    return charger(bloc.dataset.urlServices, { destinataire_etat: etat, destinataire_siret: page.siret.value })
      .then(function (html) {
        page.services.innerHTML = html;
        var titre = document.getElementById("titre-destinataire-choisi");
        if (titre && focus) {
          titre.focus();
        }
        return titre;
      });
  }

  page.bouton.addEventListener("click", function (event) {
    event.preventDefault();
    rechercher();
  });

  page.champ.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches, it does not send the whole form
      rechercher();
    } else if (event.key === "ArrowDown") {
      var premier = page.resultats.querySelector("button[name=choisir_destinataire]");
      if (premier) {
        event.preventDefault();
        premier.focus();
      }
    }
  });

  // Up and down arrows move between the results; Escape goes back to the search field.
  page.resultats.addEventListener("keydown", function (event) {
    var boutons = Array.prototype.slice.call(page.resultats.querySelectorAll("button[name=choisir_destinataire]"));
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
        page.champ.focus();
      }
    } else if (event.key === "Escape") {
      page.champ.focus();
    }
  });

  page.resultats.addEventListener("click", function (event) {
    var choix = event.target.closest("button[name=choisir_destinataire]");
    if (!choix) {
      return;
    }
    event.preventDefault();
    var etat = choix.value === form.dataset.siretEtat;
    if (radioEtat(etat ? "oui" : "non")) {
      radioEtat(etat ? "oui" : "non").checked = true; // the State is chosen by its question, as the server does
    }
    page.siret.value = etat ? "" : choix.value;
    page.codeService.value = "";
    page.resultats.innerHTML = "";
    chargerServices(true).then(function (titre) {
      page.annonce.textContent = titre ? titre.textContent + " : choisissez son service si nécessaire." : "";
    });
  });

  page.services.addEventListener("click", function (event) {
    var choix = event.target.closest("button[name=choisir_service]");
    if (!choix) {
      return;
    }
    event.preventDefault();
    page.codeService.value = choix.value;
    page.annonce.textContent = "Service choisi : " + choix.value + ".";
  });

  // A SIRET typed by hand, or « Le destinataire est-il l'État ? » answered: the services of that recipient.
  page.siret.addEventListener("change", function () { chargerServices(false); });
  Array.prototype.forEach.call(form.querySelectorAll("input[name=destinataire_etat]"), function (radio) {
    radio.addEventListener("change", function () { chargerServices(false); });
  });
})();
