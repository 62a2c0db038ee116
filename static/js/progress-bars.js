// Sets each progress bar's width from data-progress-width (no inline styles under the CSP).
document.querySelectorAll("[data-progress-width]").forEach(function (bar) {
  var width = parseInt(bar.getAttribute("data-progress-width"), 10) || 0;
  bar.style.width = Math.max(0, Math.min(width, 100)) + "%";
});
