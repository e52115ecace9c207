// Taking a test: every answer is saved as it is given; the countdown shows the server's deadline.
// Without this file the page still works: the Save button posts the whole form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.querySelector(".save-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};

  function answerOf(section) {
    var id = section.dataset.item, type = section.dataset.type, prefix = "item-" + id;
    var fields = form.elements;
    if (type === "single_choice" || type === "true_false") {
      var chosen = section.querySelector("input[name='" + prefix + "']:checked");
      return chosen ? { choices: [chosen.value] } : null;
    }
    if (type === "multiple_choice") {
      return { choices: Array.prototype.map.call(section.querySelectorAll("input[name='" + prefix + "']:checked"), function (i) { return i.value; }) };
    }
    if (type === "short_answer" || type === "essay") return { text: fields[prefix + "-text"].value };
    if (type === "numerical") {
      var raw = fields[prefix + "-number"].value.trim();
      return raw ? { number: raw } : null;
    }
    if (type === "matching") {
      var pairs = {};
      section.querySelectorAll("select").forEach(function (select) {
        if (select.value) pairs[select.name.slice((prefix + "-pair-").length)] = select.value;
      });
      return { pairs: pairs };
    }
    if (type === "scenario") {
      var choices = [];
      section.querySelectorAll("fieldset.step").forEach(function (step) {
        var chosen = step.querySelector("input:checked");
        if (chosen && choices.length === Array.prototype.indexOf.call(step.parentNode.querySelectorAll("fieldset.step"), step)) choices.push(chosen.value);
      });
      return choices.length ? { choices: choices } : null;
    }
    return null;
  }

  function save(section, then) {
    var answer = answerOf(section);
    if (!answer) return;
    fetch(form.dataset.answerUrl + section.dataset.item, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(answer)
    }).then(function (response) {
      if (response.status === 204) {
        status.textContent = status.dataset.saved;
        section.classList.add("saved");
        if (then) then();
      } else if (response.status === 409) {
        window.location.reload();  // submitted (deadline or trainer): the server shows the result
      } else {
        status.textContent = status.dataset.failed;
      }
    }).catch(function () { status.textContent = status.dataset.failed; });
  }

  form.addEventListener("change", function (event) {
    var section = event.target.closest("section.item");
    if (!section) return;
    var shown = section.querySelectorAll("fieldset.step").length;
    if (section.dataset.type === "scenario" && shown < Number(section.dataset.steps)) {
      // The next decision is revealed by the server once this one is saved.
      save(section, function () { window.location.hash = section.id; window.location.reload(); });
      return;
    }
    save(section);
  });
  form.addEventListener("input", function (event) {
    if (!event.target.matches("input[type=text], input:not([type]), textarea")) return;
    var section = event.target.closest("section.item");
    clearTimeout(timers[section.dataset.item]);
    timers[section.dataset.item] = setTimeout(function () { save(section); }, 800);
  });

  var deadline = document.querySelector("[data-deadline]");
  if (deadline) {
    var end = Date.parse(deadline.dataset.deadline), out = document.querySelector(".countdown");
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      out.textContent = " (" + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + ")";
      if (left === 0) { window.location.href = deadline.dataset.expiredUrl; return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
