// A draft back from the outbox (修改后重新保存): ?draft=<record id> on a capture page reopens it.
//
// The draft's fields go back into the form (formset rows added as needed), and capture.js takes
// the record over (its id, the photos still waiting, the message and errors it was refused with).
// A draft opens only in its own form: else this page goes to the one it was made on. Sets
// window.DangjianCaptureDraft; loaded before capture.js, which calls reopen() once it is ready.
(function () {
  "use strict";

  var Outbox = window.DangjianOutbox;
  var Sync = window.DangjianSync;
  if (!Outbox || !Sync) {
    return;
  }

  function fill(form, fields) {
    var total = fields.filter(function (pair) {
      return /-TOTAL_FORMS$/.test(pair[0]);
    });
    total.forEach(function (pair) {
      var prefix = pair[0].replace(/-TOTAL_FORMS$/, "");
      var counter = form.elements.namedItem(pair[0]);
      var add = form.querySelector('[data-formset-add="' + prefix + '"]');
      for (var tries = 0; counter && add && tries < 50 && parseInt(counter.value, 10) < parseInt(pair[1], 10); tries += 1) {
        add.click();
      }
    });
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = false;
    });
    fields.forEach(function (pair) {
      // The draft keeps what was typed; the version is the one this page shows (opening the
      // draft again after a refusal is editing on what the server now holds).
      if (pair[0] === "based_on") return;
      var field = form.elements.namedItem(pair[0]);
      if (!field) return;
      var group = field.tagName ? [field] : Array.prototype.slice.call(field);
      group.forEach(function (element) {
        if (element.type === "checkbox" || element.type === "radio") {
          if (element.value === pair[1]) element.checked = true;
        } else if (element.type !== "file") {
          element.value = pair[1];
        }
      });
    });
  }

  // page: {form, kind, target, restore(record)}; restore takes over a record that belongs here.
  function reopen(id, page) {
    var form = page.form;
    var kind = page.kind;
    var target = page.target;
    return Outbox.get(id).then(function (record) {
      if (!record || record.user !== Sync.user || record.kind !== kind) return;
      if (kind === "activity" && record.activityUrl !== target) {
        // A draft belongs to its own form: an edit of an activity never opens in the new-activity
        // form (it would be sent as a second activity), nor in another activity's edit form.
        if (record.draftUrl && record.draftUrl !== window.location.pathname) {
          window.location.replace(record.draftUrl + "?draft=" + encodeURIComponent(record.id));
        }
        return;
      }
      fill(form, record.fields);
      page.restore(record);
    });
  }

  window.DangjianCaptureDraft = { reopen: reopen };
})();
