// Word suggestions under the search boxes while the shopper types, from /cari/saran, in
// the input's <datalist>. Without JavaScript (or fetch) the form is a plain search form.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  var inputs = document.querySelectorAll("input[data-suggest-url]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    if (!list) { return; }

    function show(words) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      words.forEach(function (word) {
        var option = document.createElement("option");
        option.value = word;
        list.appendChild(option);
      });
    }

    function ask() {
      var typed = input.value.trim();
      if (typed.length < 2 || typed === asked) { return; }
      asked = typed;
      var url = input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(typed);
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (answer) {
          if (answer.q === input.value.trim().split(/\s+/).join(" ")) { show(answer.suggestions); }
        })
        .catch(function () { /* no suggestions: the form still searches */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);  // one request per pause, not per key
    });
  });
})();
