// Polls a ScrapeRun's progress endpoint and updates the admin page until the run ends.
(function () {
  "use strict";
  var box = document.getElementById("scrape-live");
  if (!box) { return; }
  var url = box.dataset.progressUrl;
  function setText(el, value) { if (el) { el.textContent = String(value); } }
  function render(data) {
    document.getElementById("scrape-progress").value = data.percent;
    setText(document.getElementById("scrape-percent"), data.percent);
    setText(document.getElementById("scrape-status"), data.status_label);
    setText(document.getElementById("scrape-message"), data.message);
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      setText(cell, data[cell.dataset.count]);
    });
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        render(data);
        if (data.status === "queued" || data.status === "running") { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
