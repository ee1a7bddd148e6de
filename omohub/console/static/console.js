// OMO Hub console: progressive enhancements only; every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions (unmerge, revoke).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  // Copy a secret that is shown once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var value = button.parentNode.querySelector("[data-secret]");
    if (value && navigator.clipboard) {
      navigator.clipboard.writeText(value.textContent.trim()).then(function () {
        button.classList.add("done");
      });
    }
  });
  // Forms with alternatives (a promotion's kind, how coupons are issued) show the chosen one's
  // fields only; without this script every alternative shows, each under its own heading.
  function showChosen(form) {
    form.querySelectorAll("[data-case]").forEach(function (box) {
      var want = box.getAttribute("data-case").split(":");
      var chosen = form.querySelector("select[name='" + want[0] + "'], [name='" + want[0] + "']:checked");
      box.hidden = !!chosen && chosen.value !== want[1];
    });
  }
  document.querySelectorAll("form[data-cases]").forEach(function (form) {
    form.addEventListener("change", function () { showChosen(form); });
    showChosen(form);
  });
  // A barcode scanner types fast and ends with Enter: keep the search box ready for it.
  var scan = document.querySelector("[data-scan][autofocus]");
  if (scan) scan.select();
})();
