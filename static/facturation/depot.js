// « Déposer facture » with several files (issue 14 item 1): the files chosen or dropped are sent one request each,
// through the same page and the same deposit pipeline, each with its own progress bar and its own result. One file
// keeps the page's ordinary submission (it opens the pre-filled form or the draft); without JavaScript, the form
// posts every file at once and the page lists each file's result.
(function () {
  "use strict";
  var form = document.getElementById("form-depot");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var input = document.getElementById("id_fichier");
  var zone = document.getElementById("zone-depot");
  var erreur = document.getElementById("erreur-fichier");
  var choisis = document.getElementById("fichiers-choisis");
  var enDirect = document.getElementById("depot-en-direct");
  var liste = document.getElementById("liste-depot");
  var annonce = document.getElementById("annonce-depot");
  var bouton = document.getElementById("bouton-deposer");
  var maxFichiers = parseInt(form.dataset.maxFichiers, 10);
  var tailleMaxTotale = parseInt(form.dataset.tailleMaxTotale, 10);
  var deposes = null; // files dropped where the input cannot take them

  function fichiers() {
    return deposes || input.files;
  }

  function montrerErreur(texte) {
    erreur.textContent = texte;
    erreur.hidden = !texte;
    zone.classList.toggle("fr-upload-group--error", Boolean(texte));
  }

  function decrireChoix() {
    var n = fichiers().length;
    choisis.textContent = n > 1 ? n + " fichiers choisis." : (n === 1 ? "1 fichier choisi." : "");
    montrerErreur("");
  }

  input.addEventListener("change", function () { deposes = null; decrireChoix(); });

  ["dragenter", "dragover"].forEach(function (nom) {
    zone.addEventListener(nom, function (event) {
      event.preventDefault();
      zone.classList.add("chorus-zone-depot--survol");
    });
  });
  ["dragleave", "drop"].forEach(function (nom) {
    zone.addEventListener(nom, function () { zone.classList.remove("chorus-zone-depot--survol"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    var deposesIci = event.dataTransfer && event.dataTransfer.files;
    if (!deposesIci || !deposesIci.length) {
      return;
    }
    try {
      input.files = deposesIci; // the files become the input's: the ordinary submission carries them too
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
    liste.appendChild(li);
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
      annonce.textContent = fichier.name + " : " + cible.resultat.textContent.replace(/\s+/g, " ").trim();
      suite();
    });
    xhr.addEventListener("error", function () {
      var p = document.createElement("p");
      p.className = "fr-error-text fr-mt-0";
      p.textContent = "Le fichier n'a pas pu être envoyé : vérifiez votre connexion puis déposez-le à nouveau.";
      cible.resultat.appendChild(p);
      annonce.textContent = fichier.name + " : " + p.textContent;
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
      input.focus();
      return;
    }
    var total = choix.reduce(function (somme, f) { return somme + f.size; }, 0);
    if (total > tailleMaxTotale) {
      montrerErreur("Les fichiers choisis dépassent ensemble la taille maximale de " +
        Math.floor(tailleMaxTotale / 1024 / 1024) + " Mo par dépôt : déposez-les en plusieurs fois.");
      input.focus();
      return;
    }
    montrerErreur("");
    liste.innerHTML = "";
    enDirect.hidden = false;
    bouton.setAttribute("aria-disabled", "true");
    bouton.disabled = true;
    var cibles = choix.map(ligne);
    annonce.textContent = "Dépôt de " + choix.length + " fichiers en cours.";
    var i = 0;
    (function suivant() {
      if (i >= choix.length) {
        bouton.disabled = false;
        bouton.removeAttribute("aria-disabled");
        input.value = "";
        deposes = null;
        choisis.textContent = "";
        annonce.textContent = "Dépôt terminé : " + choix.length + " fichiers traités.";
        return;
      }
      var index = i;
      i += 1;
      envoyer(choix[index], cibles[index], suivant);
    })();
  });
})();
