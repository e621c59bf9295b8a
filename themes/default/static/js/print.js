// Print buttons of the tools: model documents, checklists, the self-assessment result and the
// training certificate. Classic script (works from file://). A button may name a print mode
// (data-print="certificate"): it is set on <html> while printing, so print.css can show only
// that part of the page.
"use strict";
(function () {
  document.querySelectorAll("[data-print-actions]").forEach(function (el) {
    el.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-action='print']") : null;
    if (!button) return;
    var mode = button.getAttribute("data-print");
    if (mode) document.documentElement.setAttribute("data-print", mode);
    window.print();
  });
  window.addEventListener("afterprint", function () {
    document.documentElement.removeAttribute("data-print");
  });
})();
