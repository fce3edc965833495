// The packing slip's Print button: shown only where JavaScript can press it (the page's
// policy allows no inline onclick). Without JavaScript the browser's own Print prints it.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
