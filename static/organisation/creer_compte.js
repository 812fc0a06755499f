// « Créer un compte »: when the SIRET field loses focus with 14 digits, look the establishment up in the imported
// INSEE base (GET /insee/<siret>/) and pre-fill the structure's fields that are still empty.
(function () {
  "use strict";

  var script = document.currentScript;
  var modeleUrl = script && script.dataset.urlInsee; // ".../insee/00000000000000/"
  var siret = document.getElementById("id_siret");
  if (!modeleUrl || !siret || !window.fetch) {
    return;
  }

  var CHAMPS = ["raison_sociale", "adresse", "code_postal", "ville"];
  var MESSAGE_TROUVE = "Informations pré-remplies depuis la base INSEE : vérifiez-les.";
  var MESSAGE_ABSENT = "SIRET absent de la base INSEE : complétez les informations de votre structure.";
  var ID_MESSAGE = "id_siret-insee";
  var derniereDemande = "";

  function normaliser(valeur) {
    return (valeur || "").replace(/[\s.\-\u00a0\u202f]/g, "");
  }

  function retirerMessage() {
    var ancien = document.getElementById(ID_MESSAGE);
    if (ancien) {
      ancien.remove();
    }
    var decrit = (siret.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== ID_MESSAGE;
    });
    if (decrit.length) {
      siret.setAttribute("aria-describedby", decrit.join(" "));
    } else {
      siret.removeAttribute("aria-describedby");
    }
  }

  function afficherMessage(texte, statut) {
    retirerMessage();
    var groupe = document.createElement("div");
    groupe.className = "fr-messages-group";
    groupe.id = ID_MESSAGE;
    groupe.setAttribute("aria-live", "polite");
    groupe.dataset.testid = "message-insee";
    groupe.dataset.statut = statut;
    var message = document.createElement("p");
    message.className = "fr-message fr-message--info";
    message.textContent = texte;
    groupe.appendChild(message);
    siret.insertAdjacentElement("afterend", groupe);
    var decrit = siret.getAttribute("aria-describedby");
    siret.setAttribute("aria-describedby", decrit ? decrit + " " + ID_MESSAGE : ID_MESSAGE);
  }

  function preRemplir(donnees) {
    CHAMPS.forEach(function (nom) {
      var champ = document.getElementById("id_" + nom);
      if (champ && !champ.value.trim() && donnees[nom]) {
        champ.value = donnees[nom];
        champ.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    var radio = document.querySelector(
      'input[name="type_structure"][value="' + donnees.type_structure + '"]'
    );
    if (radio && !radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // The server's error was about the SIRET typed before: once it is changed, that error no longer applies
  // (issue 14 item 10), and the INSEE answer below speaks of the new one.
  var siretRefuse = siret.getAttribute("aria-invalid") === "true" ? normaliser(siret.value) : null;

  function retirerErreurServeur() {
    var erreur = document.getElementById("id_siret-desc-error");
    if (erreur) {
      erreur.remove();
    }
    var groupe = siret.closest(".fr-input-group");
    if (groupe) {
      groupe.classList.remove("fr-input-group--error");
    }
    siret.removeAttribute("aria-invalid");
    var decrit = (siret.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== "id_siret-desc-error";
    });
    if (decrit.length) {
      siret.setAttribute("aria-describedby", decrit.join(" "));
    } else {
      siret.removeAttribute("aria-describedby");
    }
    siretRefuse = null;
  }

  siret.addEventListener("input", function () {
    if (siretRefuse !== null && normaliser(siret.value) !== siretRefuse) {
      retirerErreurServeur();
    }
  });

  siret.addEventListener("blur", function () {
    var valeur = normaliser(siret.value);
    if (!/^\d{14}$/.test(valeur)) {
      derniereDemande = "";
      retirerMessage();
      return;
    }
    if (valeur === derniereDemande) {
      return; // the same SIRET again: the fields and the message are already there
    }
    derniereDemande = valeur;
    var url = modeleUrl.replace("00000000000000", valeur);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (reponse) {
        return reponse.json().then(function (donnees) {
          return { ok: reponse.ok, donnees: donnees };
        });
      })
      .then(function (resultat) {
        if (valeur !== derniereDemande) {
          return; // the SIRET changed while the answer was on its way
        }
        if (!resultat.ok) {
          retirerMessage(); // invalid SIRET: the form says what is wrong when it is sent
          return;
        }
        if (resultat.donnees.trouve) {
          preRemplir(resultat.donnees);
          afficherMessage(MESSAGE_TROUVE, "trouve");
        } else {
          afficherMessage(MESSAGE_ABSENT, "absent");
        }
      })
      .catch(function () {
        if (valeur === derniereDemande) {
          derniereDemande = "";
          retirerMessage();
        }
      });
  });
})();
