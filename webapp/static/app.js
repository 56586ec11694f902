/* kravbib: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";

  // A form with errors: move the focus to the summary, which links to each field.
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) { summary.focus(); }

  // The report's print button (hidden without JavaScript; the browser's print menu does the same).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Filter chips for the requirements of a result: by life-cycle phase and by issuer.
  document.querySelectorAll(".js-filters").forEach(function (box) {
    var section = box.closest("section");
    if (!section) { return; }
    box.hidden = false;
    box.querySelectorAll(".chip-row").forEach(function (row) {
      row.setAttribute("data-title", box.getAttribute("data-label-" + row.getAttribute("data-filter")) + ":");
    });
    function chosen(kind) {
      return Array.prototype.map.call(
        box.querySelectorAll('.chip-row[data-filter="' + kind + '"] .chip[aria-pressed="true"]'),
        function (chip) { return chip.getAttribute("data-value"); });
    }
    function apply() {
      var phases = chosen("phase"), issuers = chosen("issuer");
      section.querySelectorAll(".req").forEach(function (item) {
        var itemPhases = (item.getAttribute("data-phases") || "").split(" ");
        var okPhase = !phases.length || phases.some(function (p) { return itemPhases.indexOf(p) >= 0; });
        var okIssuer = !issuers.length || issuers.indexOf(item.getAttribute("data-issuer")) >= 0;
        item.toggleAttribute("data-js-hidden", !(okPhase && okIssuer));
      });
      section.querySelectorAll(".issuer-group, .phase-group").forEach(function (group) {
        group.toggleAttribute("data-js-hidden", !group.querySelector(".req:not([data-js-hidden])"));
      });
    }
    box.addEventListener("click", function (event) {
      var chip = event.target.closest(".chip");
      if (!chip) { return; }
      chip.setAttribute("aria-pressed", chip.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    });
  });
})();
