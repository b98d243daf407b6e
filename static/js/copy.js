// Copy buttons: <button data-copy-target="ID" data-copied="…" data-copy-failed="…"> copies the value
// of the field #ID (the clipboard API; else the field is selected for the person to copy it) and
// says so in [data-copy-status="ID"]. No inline script: the CSP forbids it.
(function () {
  "use strict";
  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) { status.textContent = text; }
  }
  function fallback(field, button) {
    field.focus();
    field.select();
    var copied = false;
    try { copied = document.execCommand && document.execCommand("copy"); } catch (e) { copied = false; }
    say(field.id, copied ? button.dataset.copied : button.dataset.copyFailed);
  }
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copyTarget);
      if (!field) { return; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say(field.id, button.dataset.copied);
        }, function () { fallback(field, button); });
      } else {
        fallback(field, button);
      }
    });
  });
})();
