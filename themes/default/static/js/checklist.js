// Checklists: the task-list boxes of a checklist page become tickable, and their state is kept
// in this browser only (localStorage, one key per page and language). Nothing is sent anywhere.
// Classic script, so it also works when the site is opened from disk.
"use strict";
(function () {
  var panel = document.querySelector("[data-checklist]");
  if (!panel) return;
  var key = panel.getAttribute("data-storage-key");
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".content input.task"));
  var status = panel.querySelector("[data-progress]");

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(key) || "null");
      return saved && Array.isArray(saved.ticked) ? saved.ticked : null;
    } catch (e) {
      return null;
    }
  }

  function save() {
    var ticked = boxes.filter(function (b) { return b.checked; })
      .map(function (b) { return Number(b.getAttribute("data-task")); });
    try {
      window.localStorage.setItem(key, JSON.stringify({ ticked: ticked }));
    } catch (e) {
      // Storage may be off (private mode, policy): ticking still works for this visit.
    }
  }

  /** The form of a count string for n: the attribute holds one form per CLDR plural category
   * (JSON from the strings file) and Intl.PluralRules picks the page language's. */
  function pluralForm(text, n) {
    if (!text || text.charAt(0) !== "{" || text.charAt(1) !== '"') return text || "";
    var forms;
    try {
      forms = JSON.parse(text);
    } catch (e) {
      return text;
    }
    var category = "other";
    try {
      category = new Intl.PluralRules(document.documentElement.lang || undefined).select(Number(n));
    } catch (e) {
      category = "other";
    }
    return forms[category] || forms.other || "";
  }

  function progress() {
    var done = boxes.filter(function (b) { return b.checked; }).length;
    status.textContent = pluralForm(panel.getAttribute("data-msg-progress"), boxes.length)
      .replace("{done}", String(done)).replace("{total}", String(boxes.length));
  }

  var saved = load();
  if (saved) {
    boxes.forEach(function (b) {
      b.checked = saved.indexOf(Number(b.getAttribute("data-task"))) !== -1;
    });
  }
  boxes.forEach(function (b) {
    b.addEventListener("change", function () { save(); progress(); });
  });
  panel.querySelector("[data-action='reset']").addEventListener("click", function () {
    // Saved as an empty list rather than removed, so that boxes the page ships ticked stay
    // cleared after a reload too.
    boxes.forEach(function (b) { b.checked = false; });
    save();
    progress();
    status.textContent += " " + panel.getAttribute("data-msg-reset");
  });
  panel.hidden = false;
  progress();
})();
