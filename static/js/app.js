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

  // The supplier form shows only the connection fields of the chosen kind.
  function showKind(form) {
    var sel = form.querySelector("select[name=connection_kind]");
    if (!sel) return;
    form.querySelectorAll(".kind-group").forEach(function (g) {
      var kinds = (g.getAttribute("data-kinds") || "").split(" ");
      g.classList.toggle("hidden", kinds.indexOf(sel.value) < 0);
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-kind-form] select[name=connection_kind]")) showKind(e.target.closest("[data-kind-form]"));
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kind-form]").forEach(showKind);
  });
})();
