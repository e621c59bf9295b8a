// The root page sends the reader to the site's language that best matches the browser's
// preferences, unless the reader came here on purpose to choose (index.html#choose).
"use strict";
(function () {
  if (location.hash === "#choose") return;
  var list = document.getElementById("choose");
  if (!list) return;
  var available = (list.getAttribute("data-languages") || "").split(" ").filter(Boolean);
  var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  function match(tag) {
    tag = String(tag);
    for (var i = 0; i < available.length; i++) {
      if (available[i].toLowerCase() === tag.toLowerCase()) return available[i];
    }
    var primary = tag.split("-")[0].toLowerCase();
    for (var j = 0; j < available.length; j++) {
      if (available[j].split("-")[0].toLowerCase() === primary) return available[j];
    }
    return null;
  }
  for (var k = 0; k < wanted.length; k++) {
    var found = match(wanted[k]);
    if (found) {
      location.replace(found + "/index.html");
      return;
    }
  }
})();
