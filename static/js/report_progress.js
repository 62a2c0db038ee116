// 年度报告: every unfinished job row polls its JSON status once a second and moves its
// progress bar; when the job is done the download link appears (and the PDF's, where the
// server could convert it), when it fails the message.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function setWidth(bar, progress) {
    var value = Math.max(0, Math.min(parseInt(progress, 10) || 0, 100));
    bar.style.width = value + "%";
    bar.textContent = value + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(value));
  }

  function show(row, data) {
    var progress = row.querySelector("[data-report-progress]");
    var bar = progress.querySelector(".progress-bar");
    var link = row.querySelector("[data-report-download]");
    var label = row.querySelector("[data-report-label]");
    var error = row.querySelector("[data-report-error]");
    row.setAttribute("data-status", data.status);
    label.textContent = data.status_label;
    setWidth(bar, data.progress);
    if (data.status === "done" && data.download_url) {
      progress.hidden = true;
      link.setAttribute("href", data.download_url);
      link.hidden = false;
      var pdf = row.querySelector("[data-report-pdf]");
      if (pdf && data.pdf_url) {  // only where the server has LibreOffice
        pdf.setAttribute("href", data.pdf_url);
        pdf.hidden = false;
      }
      return true;
    }
    if (data.status === "failed") {
      progress.hidden = true;
      error.textContent = data.error;
      error.hidden = !data.error;
      return true;
    }
    return false;
  }

  function poll(row) {
    fetch(row.getAttribute("data-status-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (!show(row, data)) {
          window.setTimeout(function () { poll(row); }, POLL_MS);
        }
      })
      .catch(function () {
        // A dropped connection: try again a little later rather than give up.
        window.setTimeout(function () { poll(row); }, POLL_MS * 5);
      });
  }

  document.querySelectorAll("[data-report-job]").forEach(function (row) {
    var bar = row.querySelector("[data-report-progress] .progress-bar");
    setWidth(bar, bar.getAttribute("data-progress-width"));
    var status = row.getAttribute("data-status");
    if (status === "queued" || status === "running") {
      poll(row);
    }
  });
})();
