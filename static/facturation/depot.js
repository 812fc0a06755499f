// « Déposer facture » with several files (issue 14 item 1): the files chosen or dropped are sent one request each,
// through the same page and the same deposit pipeline, each with its own progress bar and its own result. One file
// keeps the page's ordinary submission (it opens the pre-filled form or the draft); without JavaScript, the form
// posts every file at once and the page lists each file's result.
(function () {
  "use strict";
  var form = document.getElementById("form-depot");
  if (!form || !window.FormData || !window.XMLHttpRequest || !window.Chorus) {
    return;
  }
  var page = Chorus.elements({
    input: "id_fichier", zone: "zone-depot", erreur: "erreur-fichier", choisis: "fichiers-choisis",
    enDirect: "depot-en-direct", liste: "liste-depot", annonce: "annonce-depot", bouton: "bouton-deposer"
  });
  var maxFichiers = parseInt(form.dataset.maxFichiers, 10);
  var tailleMaxTotale = parseInt(form.dataset.tailleMaxTotale, 10);
  var deposes = null; // files dropped where the input cannot take them

  function fichiers() {
    return deposes || page.input.files;
  }

  function montrerErreur(texte) {
    page.erreur.textContent = texte;
    page.erreur.hidden = !texte;
    page.zone.classList.toggle("fr-upload-group--error", Boolean(texte));
  }

  function decrireChoix() {
    var n = fichiers().length;
    page.choisis.textContent = n > 1 ? n + " fichiers choisis." : (n === 1 ? "1 fichier choisi." : "");
    montrerErreur("");
  }

  page.input.addEventListener("change", function () { deposes = null; decrireChoix(); });

  ["dragenter", "dragover"].forEach(function (nom) {
    page.zone.addEventListener(nom, function (event) {
      event.preventDefault();
      page.zone.classList.add("chorus-zone-depot--survol");
    });
  });
  ["dragleave", "drop"].forEach(function (nom) {
    page.zone.addEventListener(nom, function () { page.zone.classList.remove("chorus-zone-depot--survol"); });
  });
  page.zone.addEventListener("drop", function (event) {
    event.preventDefault();
    var deposesIci = event.dataTransfer && event.dataTransfer.files;
    if (!deposesIci || !deposesIci.length) {
      return;
    }
    try {
      page.input.files = deposesIci; // the files become the input's: the ordinary submission carries them too
      deposes = null;
    } catch (e) {
      deposes = deposesIci;
    }
    decrireChoix();
  });

  function ligne(fichier, index) {
    var li = document.createElement("li");
    li.className = "fr-mb-2w chorus-resultat-depot";
    li.dataset.testid = "fichier-depose";
    var nom = document.createElement("p");
    nom.className = "fr-text--bold fr-mb-1v";
    nom.textContent = fichier.name;
    var libelle = document.createElement("label");
    libelle.className = "fr-sr-only";
    libelle.htmlFor = "progression-" + index;
    libelle.textContent = "Envoi de " + fichier.name;
    var progression = document.createElement("progress");
    progression.id = "progression-" + index;
    progression.max = 100;
    progression.value = 0;
    progression.dataset.testid = "progression";
    var resultat = document.createElement("div");
    resultat.className = "fr-mt-1w";
    resultat.dataset.testid = "resultat-fichier";
    li.append(nom, libelle, progression, resultat);
    page.liste.appendChild(li);
    return { progression: progression, resultat: resultat };
  }

  function envoyer(fichier, cible, suite) {
    var donnees = new FormData();
    ["csrfmiddlewaretoken", "cadre", "fournisseur"].forEach(function (nom) {
      donnees.append(nom, form.elements[nom].value);
    });
    donnees.append("fichier", fichier, fichier.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Depot-Fichier", "1");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        cible.progression.value = Math.round((event.loaded / event.total) * 100);
      }
    });
    xhr.addEventListener("load", function () {
      cible.progression.value = 100;
      if (xhr.status === 200 || xhr.status === 422) {
        cible.resultat.innerHTML = xhr.responseText; // the server's fragment, escaped by its template
      } else {
        cible.resultat.innerHTML = "";
        var p = document.createElement("p");
        p.className = "fr-error-text fr-mt-0";
        p.textContent = "Le fichier n'a pas pu être déposé (erreur " + xhr.status + ") : déposez-le à nouveau.";
        cible.resultat.appendChild(p);
      }
      page.annonce.textContent = fichier.name + " : " + cible.resultat.textContent.replace(/\s+/g, " ").trim();
      suite();
    });
    xhr.addEventListener("error", function () {
      var p = document.createElement("p");
      p.className = "fr-error-text fr-mt-0";
      p.textContent = "Le fichier n'a pas pu être envoyé : vérifiez votre connexion puis déposez-le à nouveau.";
      cible.resultat.appendChild(p);
      page.annonce.textContent = fichier.name + " : " + p.textContent;
      suite();
    });
    xhr.send(donnees);
  }

  form.addEventListener("submit", function (event) {
    var choix = Array.prototype.slice.call(fichiers());
    if (choix.length < 2 && !deposes) {
      return; // one file: the page's ordinary submission
    }
    event.preventDefault();
    if (choix.length > maxFichiers) {
      montrerErreur("Vous pouvez déposer au plus " + maxFichiers + " fichiers à la fois (" + choix.length + " choisis).");
      page.input.focus();
      return;
    }
    var total = choix.reduce(function (somme, f) { return somme + f.size; }, 0);
    if (total > tailleMaxTotale) {
      montrerErreur("Les fichiers choisis dépassent ensemble la taille maximale de " +
        Math.floor(tailleMaxTotale / 1024 / 1024) + " Mo par dépôt : déposez-les en plusieurs fois.");
      page.input.focus();
      return;
    }
    montrerErreur("");
    page.liste.innerHTML = "";
    page.enDirect.hidden = false;
    page.bouton.setAttribute("aria-disabled", "true");
    page.bouton.disabled = true;
    var cibles = choix.map(ligne);
    page.annonce.textContent = "Dépôt de " + choix.length + " fichiers en cours.";
    var i = 0;
    (function suivant() {
      if (i >= choix.length) {
        page.bouton.disabled = false;
        page.bouton.removeAttribute("aria-disabled");
        page.input.value = "";
        deposes = null;
        page.choisis.textContent = "";
        page.annonce.textContent = "Dépôt terminé : " + choix.length + " fichiers traités.";
        return;
      }
      var index = i;
      i += 1;
      envoyer(choix[index], cibles[index], suivant);
    })();
  });
})();
