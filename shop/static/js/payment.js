// The order page's payment box: the time left to pay counts down, and a button copies the
// virtual account number or payment code. Without JavaScript the page shows the time left
// when it was drawn, and the number can be selected and copied by hand.
(function () {
  "use strict";
  var counters = document.querySelectorAll("[data-countdown]");

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(counters, function (counter) {
      var left = Date.parse(counter.getAttribute("data-until")) - now;
      if (isNaN(left)) { return; }
      if (left <= 0) {
        counter.textContent = counter.getAttribute("data-expired");
        return;
      }
      var minutes = Math.ceil(left / 60000);
      counter.textContent = counter.getAttribute("data-template")
        .replace("{hours}", String(Math.floor(minutes / 60)))
        .replace("{minutes}", String(minutes % 60));
    });
  }
  if (counters.length) {
    tick();
    window.setInterval(tick, 15000);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  });
}());
