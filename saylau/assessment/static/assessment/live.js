// The live view of a test and the projector: every few seconds the page asks the server for its changing part
// (X-Fragment: 1) and swaps in what changed. Without this file the pages still work: a "Refresh" link reloads.
(function () {
  "use strict";

  function setup(box) {
    var url = box.dataset.refresh;
    var interval = (parseInt(box.dataset.interval, 10) || 5) * 1000;
    var paused = false, busy = false;

    document.querySelectorAll("[data-auto-note]").forEach(function (note) { note.hidden = false; });

    if (box.dataset.pauseLabel) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = box.dataset.pauseLabel;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () {
        paused = !paused;
        button.setAttribute("aria-pressed", paused ? "true" : "false");
        button.textContent = paused ? box.dataset.resumeLabel : box.dataset.pauseLabel;
        if (!paused) refresh();
      });
      box.parentNode.insertBefore(button, box);
    }

    function apply(html) {
      var template = document.createElement("template");
      template.innerHTML = html;
      template.content.querySelectorAll("[data-part]").forEach(function (part) {
        var old = box.querySelector("[data-part='" + part.dataset.part + "']");
        // Text, not markup: forms carry a fresh CSRF token on every response.
        if (!old || old.textContent === part.textContent) return;
        if (old.contains(document.activeElement) && document.activeElement !== document.body) return;
        old.innerHTML = part.innerHTML;
      });
    }

    function refresh() {
      if (paused || busy || document.hidden) return;
      busy = true;
      box.setAttribute("aria-busy", "true");
      fetch(url, { headers: { "X-Fragment": "1" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.redirected || !response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(apply)
        .catch(function () { /* keep what is shown; the next round tries again */ })
        .finally(function () { busy = false; box.removeAttribute("aria-busy"); });
    }

    window.setInterval(refresh, interval);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  }

  document.querySelectorAll("[data-refresh]").forEach(setup);
})();
