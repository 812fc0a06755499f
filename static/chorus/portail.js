// The portal's behaviour on every page (served locally, loaded by base.html).
(function () {
  "use strict";

  // A refused form: the keyboard focus goes to the error summary at the top (issue 14 item 10).
  var resume = document.getElementById("resume-erreurs");
  if (resume) {
    resume.focus();
  }

  // A table wider than the screen scrolls inside its frame: the keyboard must reach it (WCAG 2.1.1, axe
  // « scrollable-region-focusable »), so a scrolling table without a link or a field gets into the tab order.
  function tablesAtteignables() {
    Array.prototype.forEach.call(document.querySelectorAll(".fr-table table, .fr-table__content"), function (el) {
      var defile = el.scrollWidth > el.clientWidth + 1;
      if (defile && !el.hasAttribute("tabindex") && !el.querySelector("a[href], button, input, select, textarea")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-defile", "");
      } else if (!defile && el.hasAttribute("data-defile")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-defile");
      }
    });
  }
  tablesAtteignables();
  window.addEventListener("resize", tablesAtteignables);

  // A form sent once: a second click does nothing, and after half a second the button says it is working
  // (issue 14 item 16). A form that stays on the page (a download) is usable again after a while.
  var DELAI_OCCUPE = 500;
  var DELAI_LIBERE = 20000;
  var MESSAGE = "Traitement en cours, veuillez patienter…";

  function liberer(form) {
    delete form.dataset.envoiEnCours;
    form.removeAttribute("aria-busy");
    Array.prototype.forEach.call(form.querySelectorAll("[data-occupe]"), function (bouton) {
      bouton.removeAttribute("aria-disabled");
      bouton.removeAttribute("data-occupe");
      bouton.classList.remove("chorus-occupe");
    });
    var statut = form.querySelector("[data-testid=envoi-en-cours]");
    if (statut) {
      statut.remove();
    }
  }

  function occuper(form, bouton) {
    form.setAttribute("aria-busy", "true");
    var boutons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    Array.prototype.forEach.call(boutons, function (b) {
      b.setAttribute("aria-disabled", "true");
      b.setAttribute("data-occupe", "");
      b.classList.add("chorus-occupe");
    });
    var statut = document.createElement("p");
    statut.className = "fr-text--sm fr-mt-1w chorus-envoi-en-cours";
    statut.setAttribute("role", "status");
    statut.dataset.testid = "envoi-en-cours";
    statut.textContent = MESSAGE;
    (bouton && bouton.parentNode ? bouton : form.lastElementChild || form).insertAdjacentElement("afterend", statut);
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (event.defaultPrevented || (form.getAttribute("method") || "get").toLowerCase() !== "post") {
        return;
      }
      if (form.dataset.envoiEnCours) {
        event.preventDefault(); // already sent: the answer is on its way
        return;
      }
      form.dataset.envoiEnCours = "oui";
      var bouton = event.submitter;
      var occupe = setTimeout(function () { occuper(form, bouton); }, DELAI_OCCUPE);
      setTimeout(function () { clearTimeout(occupe); liberer(form); }, DELAI_LIBERE);
    },
    false
  );

  // Back to a page kept in the browser's cache: its forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-envoi-en-cours]"), liberer);
    }
  });
})();
