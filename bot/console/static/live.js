// A request's steps as the worker takes them (server-sent events from the console), and a
// reload of the page once the request's state changes, once the follow-ups asked for are
// done, or (Eligibility) once another check is answered. Without it the page refreshes itself.
(function () {
  "use strict";
  if (!window.EventSource) {
    return;
  }
  var asked = document.querySelector("[data-asked]");
  if (asked) {
    var followed = new EventSource(asked.getAttribute("data-asked"));
    followed.addEventListener("done", function () {
      followed.close();
      window.location.reload();
    });
  }
  var list = document.querySelector("[data-steps]");
  if (!list) {
    return;
  }
  var source = new EventSource(list.getAttribute("data-steps"));
  source.addEventListener("step", function (event) {
    var last = list.lastElementChild;
    if (last && last.textContent === event.data) {
      return;
    }
    var step = document.createElement("li");
    step.textContent = event.data;
    list.appendChild(step);
  });
  source.addEventListener("state", function () {
    source.close();
    window.location.reload();
  });
})();
