// Adds a row to a Django formset: clones the <template> and renumbers __prefix__.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-formset-add]");
  if (!button) return;
  var prefix = button.getAttribute("data-formset-add");
  var template = document.querySelector('[data-formset-template="' + prefix + '"]');
  var container = document.querySelector('[data-formset="' + prefix + '"]');
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  if (!template || !container || !total) return;
  var index = parseInt(total.value, 10);
  var html = template.innerHTML.replace(/__prefix__/g, String(index));
  container.insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
});
