// What each code typed stands for, shown under its field as it is typed (the console's
// /codes/<field> answer); the same list is drawn by the server after a correction.
(function () {
  "use strict";
  var PAUSE_MS = 300;
  function show(list, pairs) {
    list.replaceChildren();
    pairs.forEach(function (pair) {
      var item = document.createElement("li");
      var code = document.createElement("span");
      code.className = "code";
      code.textContent = pair[0];
      item.appendChild(code);
      item.appendChild(document.createTextNode(" " + pair[1]));
      list.appendChild(item);
    });
  }
  document.querySelectorAll("[data-describe]").forEach(function (input) {
    var list = document.getElementById("d-" + input.name);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = input.getAttribute("data-describe") + "?codes=" + encodeURIComponent(input.value);
        fetch(url, { credentials: "same-origin" })
          .then(function (answer) { return answer.ok ? answer.json() : []; })
          .then(function (pairs) { show(list, pairs); });
      }, PAUSE_MS);
    });
  });
})();
