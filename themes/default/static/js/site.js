// Small behaviours shared by every page. Classic script: works from file:// and over HTTP.
// Loaded in <head> without `defer`, so that <html class="js"> is set before the header is
// drawn: on phones the main menu then starts folded behind its button (it stays open, and the
// button hidden, when scripts do not run).
"use strict";
(function () {
  document.documentElement.classList.add("js");

  function languageMenus() {
    return document.querySelectorAll(".language-switcher details[open]");
  }

  function closeLanguageMenus(focusToggle) {
    languageMenus().forEach(function (details) {
      details.open = false;
      var summary = details.querySelector("summary");
      if (focusToggle && summary) summary.focus();
    });
  }

  function setMenu(toggle, open, focusToggle) {
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!nav) return;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
    if (focusToggle) toggle.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".menu-toggle").forEach(function (toggle) {
      toggle.addEventListener("click", function () {
        setMenu(toggle, toggle.getAttribute("aria-expanded") !== "true", false);
      });
    });
    // One menu open at a time: opening the language menu folds the main menu.
    document.querySelectorAll(".language-switcher details").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) return;
        document.querySelectorAll(".menu-toggle[aria-expanded='true']").forEach(function (toggle) {
          setMenu(toggle, false, false);
        });
      });
    });
  });

  // Escape closes an open menu and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (languageMenus().length) {
      closeLanguageMenus(true);
      return;
    }
    document.querySelectorAll(".menu-toggle[aria-expanded='true']").forEach(function (toggle) {
      setMenu(toggle, false, true);
    });
  });

  // A click or tap outside the language menu closes it, as a reader expects of a popup.
  document.addEventListener("click", function (event) {
    languageMenus().forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });
})();
