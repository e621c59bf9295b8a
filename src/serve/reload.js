// Live reload for `portal serve` (served by the dev server only, never part of the site):
// reloads the page after a rebuild and shows build errors in an overlay until they are fixed.
"use strict";
(function () {
  var overlay = null;
  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }
  function show(lines) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "portal-error-overlay";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "Build errors");
    // CSSOM properties, not a style attribute: allowed by the page's CSP.
    var s = overlay.style;
    s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
    s.background = "rgba(20, 20, 28, 0.95)"; s.color = "#fff"; s.padding = "2rem"; s.font = "14px/1.5 monospace";
    var title = document.createElement("h2");
    title.textContent = "The last edit does not build. The site below is the last good one.";
    var list = document.createElement("pre");
    list.textContent = lines.join("\n");
    list.style.whiteSpace = "pre-wrap";
    overlay.append(title, list);
    document.body.append(overlay);
  }
  var events = new EventSource("/__portal/events");
  events.addEventListener("reload", function () { location.reload(); });
  // The search index is updated after the pages: only the search page shows results from it.
  events.addEventListener("search", function () {
    if (/\/search\.html$/.test(location.pathname)) location.reload();
  });
  events.addEventListener("failed", function (e) { show(JSON.parse(e.data)); });
  events.addEventListener("ok", hide);
})();
