// Tells the uploader how many photos are chosen before sending (a phone shows no file list).
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches('input[type="file"][name="photos"]') || !input.form) return;
  var note = input.form.querySelector("[data-photo-count]");
  if (!note) return;
  var count = input.files ? input.files.length : 0;
  note.textContent = count ? note.getAttribute("data-photo-count-text").replace("{count}", String(count)) : "";
});
