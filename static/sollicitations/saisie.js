// « Saisir une sollicitation », progressive enhancement: the sous-catégories follow the catégorie, the
// « Structure publique destinataire » block shows only for a sous-catégorie treated by a public structure's
// service, and the services of the structure appear as its SIRET is typed. Without this script the form's
// intermediate steps (« Afficher les sous-catégories », « Rechercher la structure ») do the same on the server.
(function () {
  "use strict";
  var form = document.getElementById("saisie-sollicitation");
  var donnees = document.getElementById("arbre-categories");
  if (!form || !donnees || !window.Chorus) { return; }
  var arbre = JSON.parse(donnees.textContent);
  var page = Chorus.elements({
    categorie: "id_categorie", sousCategorie: "id_sous_categorie", bloc: "destinataire-fieldset",
    siret: "id_siret_destinataire", service: "id_service_destinataire", message: "recherche-destinataire"
  });
  var urlModele = form.getAttribute("data-url-structure");
  var derniereRecherche = null;

  Array.prototype.forEach.call(form.querySelectorAll("[data-etape]"), function (bouton) { bouton.hidden = true; });

  function option(valeur, texte) {
    var el = document.createElement("option");
    el.value = valeur;
    el.textContent = texte;
    return el;
  }

  function acheminement() {
    var liste = arbre[page.categorie.value] || [];
    for (var i = 0; i < liste.length; i++) {
      if (String(liste[i][0]) === page.sousCategorie.value) { return liste[i][2]; }
    }
    return "";
  }

  function afficherBloc() {
    // Shown when the sous-catégorie goes to a business service, or while none is chosen yet.
    page.bloc.hidden = acheminement() === "SUPPORT";
  }

  function remplirSousCategories() {
    var choisie = page.sousCategorie.value;
    page.sousCategorie.innerHTML = "";
    page.sousCategorie.appendChild(option("", "Sélectionnez une sous-catégorie"));
    (arbre[page.categorie.value] || []).forEach(function (sc) {
      var el = option(sc[0], sc[1]);
      if (String(sc[0]) === choisie) { el.selected = true; }
      page.sousCategorie.appendChild(el);
    });
    afficherBloc();
  }

  function chercherStructure() {
    var valeur = page.siret.value.replace(/[\s.\-]/g, "");
    if (!/^\d{14}$/.test(valeur) || valeur === derniereRecherche) { return; }
    derniereRecherche = valeur;
    Chorus.charger(urlModele.replace("00000000000000", valeur))
      .then(function (reponse) { return reponse.json(); })
      .then(function (resultat) {
        page.message.textContent = resultat.message;
        page.message.className = "fr-text--sm fr-mt-1w " + (resultat.trouvee ? "fr-valid-text" : "fr-error-text");
        var choisi = page.service.value;
        page.service.innerHTML = "";
        page.service.appendChild(option("", "Sélectionnez un service"));
        (resultat.services || []).forEach(function (s) {
          var el = option(s[0], s[1]);
          if (String(s[0]) === choisi) { el.selected = true; }
          page.service.appendChild(el);
        });
      })
      .catch(function () { derniereRecherche = null; });
  }

  page.categorie.addEventListener("change", remplirSousCategories);
  page.sousCategorie.addEventListener("change", afficherBloc);
  page.siret.addEventListener("input", chercherStructure);
  afficherBloc();
})();
