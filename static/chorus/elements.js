// What the pages' progressive-enhancement scripts share (loaded just before them, deferred in the same order):
// the page's elements found by their ids, and a request for a server fragment with the session.
(function () {
  "use strict";
  var Chorus = (window.Chorus = window.Chorus || {});

  // { nom: "identifiant", … } gives { nom: element, … }: a script names the elements it works on once, as a table.
  Chorus.elements = function (identifiants) {
    var trouves = {};
    Object.keys(identifiants).forEach(function (nom) {
      trouves[nom] = document.getElementById(identifiants[nom]);
    });
    return trouves;
  };

  // A GET with the session cookie; « X-Requested-With » asks the view for its fragment (or its JSON) only.
  Chorus.charger = function (url, params) {
    var cible = params ? url + "?" + new URLSearchParams(params).toString() : url;
    return fetch(cible, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } });
  };
})();
