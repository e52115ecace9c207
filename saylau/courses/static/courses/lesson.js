// Time on a lesson: while the page is visible, tell the server every 30 seconds (the page works without this).
(function () {
  "use strict";
  var holder = document.querySelector("[data-beat-url]");
  if (!holder || !window.fetch) return;
  var url = holder.dataset.beatUrl;
  var token = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value ||
    (document.cookie.match(/csrftoken=([^;]+)/) || [])[1];
  var last = Date.now();
  function beat() {
    var now = Date.now();
    var seconds = Math.round((now - last) / 1000);
    last = now;
    if (document.visibilityState !== "visible" || seconds <= 0) return;
    var body = new URLSearchParams({ seconds: String(Math.min(seconds, 90)) });
    fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true,
                 headers: { "X-CSRFToken": token || "" } }).catch(function () {});
  }
  setInterval(beat, 30000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") beat(); else last = Date.now();
  });
})();
