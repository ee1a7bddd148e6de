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
  // A barcode scanner types fast and ends with Enter: keep the search box ready for it.
  var scan = document.querySelector("[data-scan][autofocus]");
  if (scan) scan.select();
})();
