// dropship back office behaviour that HTML and htmx can't express.
// Loaded as a file (the CSP forbids inline script).
(function () {
  "use strict";

  // Flash messages close on their button.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-dismiss]");
    if (btn) {
      var box = btn.closest(btn.getAttribute("data-dismiss"));
      if (box) box.remove();
    }
  });

  // A form or button with data-confirm asks before it submits.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  // Auto-submit filter forms when a select changes.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches("select[data-autosubmit], input[data-autosubmit]")) {
      var form = el.form;
      if (form && form.requestSubmit) form.requestSubmit();
    }
  });
})();
