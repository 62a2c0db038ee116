// A form marked data-submit-once disables its submit buttons while it posts, so a double tap on a
// slow phone sends it once (the server's one-time id makes a repeat harmless anyway). The buttons
// come back when the page is shown again from the browser's history.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-submit-once]") || event.defaultPrevented) {
      return;
    }
    // After this event: a disabled button would not send its own name (e.g. "submit").
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
      form.setAttribute("data-posting", "");
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-posting]").forEach(function (form) {
      form.removeAttribute("data-posting");
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
    });
  });
})();
