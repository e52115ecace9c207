// Small enhancements only; every page works without this file.
(function () {
  "use strict";
  // The registry tree: load a node's children the first time it is opened.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details[data-children-url]") || !details.open || details.dataset.loaded) return;
    details.dataset.loaded = "1";
    var list = details.querySelector("ul");
    list.setAttribute("aria-busy", "true");
    fetch(details.dataset.childrenUrl, { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) { list.innerHTML = html; })
      .catch(function () { delete details.dataset.loaded; })
      .finally(function () { list.removeAttribute("aria-busy"); });
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-print]")) window.print();
  });
})();
