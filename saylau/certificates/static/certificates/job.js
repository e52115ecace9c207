// The bulk issuance page: poll the job's progress once a second until it ends (without JS, the page refreshes).
(function () {
  var box = document.getElementById("job");
  if (!box || (box.dataset.status !== "queued" && box.dataset.status !== "running")) return;
  var bar = document.getElementById("job-progress"), count = document.getElementById("job-count");
  function poll() {
    fetch(box.dataset.poll, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (job) {
      bar.max = job.total || 1; bar.value = job.done; count.textContent = job.done + " / " + job.total;
      if (job.status === "queued" || job.status === "running") { setTimeout(poll, 1000); } else { location.reload(); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
