// « Tout sélectionner » above a list with ticks (Factures à traiter): shown only when this script runs, it ticks or
// unticks every invoice of the list, and follows the ticks made one by one.
(function () {
  "use strict";
  var bloc = document.querySelector("[data-tout-selectionner]");
  if (!bloc) { return; }
  var tout = bloc.querySelector("input[type=checkbox]");
  var form = bloc.closest("form");
  var cases = Array.prototype.slice.call(form.querySelectorAll("input[data-selection]"));
  if (!cases.length) { return; }

  function suivre() {
    var cochees = cases.filter(function (c) { return c.checked; }).length;
    tout.checked = cochees === cases.length;
    tout.indeterminate = cochees > 0 && cochees < cases.length;
  }

  tout.addEventListener("change", function () {
    cases.forEach(function (c) { c.checked = tout.checked; });
    tout.indeterminate = false;
  });
  cases.forEach(function (c) { c.addEventListener("change", suivre); });
  bloc.hidden = false;
  suivre();
})();
