// The live activation page: fetch its changing part again every few seconds, until the
// activation is closed. Everything still works without it (the Refresh link).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) { return; }
  var source = live.getAttribute("data-src");
  var last = null;
  var EVERY_MS = 1500;
  function closed() { return live.querySelector("[data-closed]") !== null; }
  function poll() {
    fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (html !== null && html !== last) {
          last = html;
          live.innerHTML = html;
        }
        if (!closed()) { setTimeout(poll, EVERY_MS); }
      })
      .catch(function () { setTimeout(poll, EVERY_MS * 3); });
  }
  if (!closed()) { setTimeout(poll, EVERY_MS); }
})();
