// Small behaviours shared by every page. Classic script: works from file:// and over HTTP.
"use strict";
(function () {
  // Close the language menu with Escape and return focus to its toggle.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".language-switcher details[open]").forEach(function (details) {
      details.open = false;
      var summary = details.querySelector("summary");
      if (summary) summary.focus();
    });
  });
})();
