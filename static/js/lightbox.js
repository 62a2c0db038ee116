// Photo lightbox: a click on a [data-lightbox="<gallery>"] link opens #lightbox-<gallery> with the
// 1600 px image, its caption and prev/next through the same gallery. Without JS the link opens the image.
(function () {
  var state = { items: [], index: 0, modal: null };

  function show(index) {
    var count = state.items.length;
    if (!count || !state.modal) return;
    state.index = (index + count) % count;
    var link = state.items[state.index];
    var image = state.modal.querySelector("[data-lightbox-image]");
    image.src = link.getAttribute("href");
    image.alt = link.getAttribute("data-caption") || "";
    image.style.maxHeight = "78vh";
    state.modal.querySelector("[data-lightbox-caption]").textContent = link.getAttribute("data-caption") || "";
    state.modal.querySelector("[data-lightbox-counter]").textContent = state.index + 1 + " / " + count;
    state.modal.querySelector("[data-lightbox-original]").href = link.getAttribute("data-original") || link.href;
    var single = count < 2;
    state.modal.querySelector("[data-lightbox-prev]").disabled = single;
    state.modal.querySelector("[data-lightbox-next]").disabled = single;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-lightbox]");
    if (link) {
      var gallery = link.getAttribute("data-lightbox");
      var modal = document.getElementById("lightbox-" + gallery);
      if (!modal || !window.bootstrap) return;
      event.preventDefault();
      state.modal = modal;
      state.items = Array.prototype.slice.call(
        document.querySelectorAll('[data-lightbox="' + gallery + '"]')
      );
      show(state.items.indexOf(link));
      window.bootstrap.Modal.getOrCreateInstance(modal).show();
      return;
    }
    if (event.target.closest("[data-lightbox-prev]")) show(state.index - 1);
    if (event.target.closest("[data-lightbox-next]")) show(state.index + 1);
  });

  document.addEventListener("keydown", function (event) {
    if (!state.modal || !state.modal.classList.contains("show")) return;
    if (event.key === "ArrowLeft") show(state.index - 1);
    if (event.key === "ArrowRight") show(state.index + 1);
  });
})();
