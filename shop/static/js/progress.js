// A job's progress bar, kept current without reloading the page. Without JavaScript the
// page refreshes itself instead (a <noscript> meta refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");

  function poll() {
    fetch(box.getAttribute("data-progress-url"), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        text.textContent = job.text;
        if (job.finished) {
          window.location.reload();  // the finished page shows the result link
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
