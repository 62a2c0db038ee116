// The capture form: an activity and its photos in one step (or photos for an existing activity).
//
// Photos are chosen or shot, each with its own caption, reordered or removed, and shrunk on the
// phone (the list in capture-photos.js, the shrinking in capture-shrink.js). On 保存 the whole
// record goes into the outbox (IndexedDB, outbox.js) first, then out in pieces: the activity,
// then each photo with its own progress bar. A failed photo is retried on its own (back-off in
// outbox-page.js, and a 重试 button); with no network the record waits as 待同步 and the form
// is free for the next one.
//
// A draft reopened from the outbox (?draft=) is filled in by capture-draft.js.
// Without what this needs (IndexedDB, createImageBitmap is optional) the form posts as a plain form.
(function () {
  "use strict";

  var form = document.querySelector("form[data-capture-form]");
  var Outbox = window.DangjianOutbox;
  var Sync = window.DangjianSync;
  var Draft = window.DangjianCaptureDraft;
  var Photos = window.DangjianCapturePhotos;
  if (!form || !Outbox || !Sync || !Draft || !Photos || !window.indexedDB || typeof FormData !== "function") {
    return;
  }
  var section = form.querySelector("[data-capture-photos]");
  var statusBox = form.querySelector("[data-capture-status]");
  var submit = form.querySelector("button[type=submit]");
  var clientIdInput = form.querySelector("input[name=client_id]");
  // On an edit: the activity's version this page shows; each edit sent is based on it.
  var basedOnInput = form.querySelector("input[name=based_on]");
  var target = form.getAttribute("data-capture-url");
  var text = section.dataset;
  var kind = form.getAttribute("data-capture-kind");

  var format = Photos.format;
  var recordId = null;
  var busy = false;
  // Set while this page's record waits for a retry after a failed send: the service worker
  // (Background Sync) or another tab may send it meanwhile, which this page hears of only
  // through the outbox (see sentElsewhere).
  var retrying = false;

  function newRecord() {
    recordId = Outbox.uuid();
    if (clientIdInput) {
      // The phone's own id for the activity: a page kept offline must never reuse its rendered one.
      clientIdInput.value = recordId;
    }
  }

  // ---- The photo list (capture-photos.js) ----------------------------------------------------

  var photoList = Photos.create(section, {
    uuid: function () {
      return Outbox.uuid();
    },
    retry: function () {
      Sync.run(true);
    },
    tooMany: function (message) {
      showStatus(message, "warning");
    },
  });
  var photos = photoList.photos;

  // ---- Status and errors ---------------------------------------------------------------------

  function showStatus(message, tone, link) {
    statusBox.replaceChildren();
    statusBox.hidden = !message;
    statusBox.className = "alert alert-" + (tone || "info") + " mb-3";
    statusBox.setAttribute("data-state", tone || "info");
    if (!message) return;
    var line = document.createElement("span");
    line.textContent = message;
    statusBox.appendChild(line);
    if (link) {
      statusBox.appendChild(document.createTextNode(" "));
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.label;
      anchor.className = "alert-link";
      statusBox.appendChild(anchor);
    }
  }

  function clearErrors() {
    form.querySelectorAll("[data-capture-error]").forEach(function (node) {
      node.remove();
    });
    form.querySelectorAll(".is-invalid").forEach(function (node) {
      node.classList.remove("is-invalid");
    });
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.elements.namedItem(name);
      var element = field && field.length !== undefined && !field.tagName ? field[0] : field;
      if (!element || !element.parentNode) return;
      element.classList.add("is-invalid");
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.setAttribute("data-capture-error", "");
      note.textContent = errors[name].join("；");
      element.parentNode.insertBefore(note, element.nextSibling);
    });
  }

  function setBusy(value) {
    busy = value;
    submit.disabled = value;
    if (value) {
      submit.setAttribute("aria-busy", "true");
    } else {
      submit.removeAttribute("aria-busy");
    }
    section.querySelectorAll("input[type=file]").forEach(function (input) {
      input.disabled = value;
    });
    photoList.setBusy(value);
  }

  // ---- Sending -------------------------------------------------------------------------------

  function mine(record) {
    return record && record.id === recordId && busy;
  }

  function photoOf(saved) {
    return photoList.find(saved.id);
  }

  function progressOf(photo) {
    return photoList.part(photo, "progress");
  }

  // An edit of this activity is in (sent by this page, another tab or the service worker): the
  // next edit from this form builds on the version it made, if the form showed the one it replaced.
  function followSaved(activityUrl, basedOn, version) {
    if (basedOnInput && basedOn && activityUrl === target && basedOnInput.value === basedOn) {
      basedOnInput.value = String(version);
    }
  }

  var hooks = {
    activity: function (record, basedOn) {
      followSaved(record.activityUrl, basedOn, record.version);
      if (mine(record)) retrying = false;
      if (mine(record) && record.photos.length) showStatus(text.textActivitySaved, "info");
    },
    photoStart: function (record, saved) {
      var photo = mine(record) && photoOf(saved);
      if (!photo) return;
      retrying = false;
      photo.state = "sending";
      progressOf(photo).hidden = false;
      progressOf(photo).value = 0;
      photoList.part(photo, "retry").hidden = true;
      photoList.setStatus(photo, format(text.textSending, { percent: 0 }));
    },
    progress: function (record, saved, fraction) {
      var photo = mine(record) && photoOf(saved);
      if (!photo) return;
      var percent = Math.min(99, Math.round(fraction * 100));
      progressOf(photo).value = percent;
      photoList.setStatus(photo, format(text.textSending, { percent: percent }));
    },
    photo: function (record, saved) {
      var photo = mine(record) && photoOf(saved);
      if (!photo) return;
      photo.state = saved.state;
      photo.element.setAttribute("data-state", saved.state);
      if (saved.state === "sent") {
        progressOf(photo).value = 100;
        photoList.setStatus(photo, text.textPhotoSaved, "text-success");
      } else if (saved.state === "refused") {
        progressOf(photo).hidden = true;
        photoList.setStatus(photo, format(text.textRefused, { reason: saved.message }), "text-danger");
      }
    },
    photoFailed: function (record, saved) {
      var photo = mine(record) && photoOf(saved);
      if (!photo) return;
      photo.state = "failed";
      photo.element.setAttribute("data-state", "failed");
      progressOf(photo).hidden = true;
      photoList.setStatus(photo, text.textPhotoFailed, "text-danger");
      photoList.part(photo, "retry").hidden = false;
    },
    refused: function (record) {
      if (!mine(record)) return;
      retrying = false;
      setBusy(false);
      showStatus(record.message, "danger");
      showErrors(record.errors);
    },
    done: function (record) {
      if (!mine(record)) return;
      finished(record);
    },
    unreachable: function () {
      if (busy && recordId) {
        Outbox.get(recordId).then(function (record) {
          if (record && record.state !== "refused") waiting(record);
        });
      }
    },
  };

  function xhrTransport(url, body, csrf, onProgress) {
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open("POST", url);
      request.setRequestHeader("X-CSRFToken", csrf);
      request.setRequestHeader("Accept", "application/json");
      if (onProgress && request.upload) {
        request.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) onProgress(event.loaded / event.total);
        });
      }
      request.addEventListener("load", function () {
        var json = null;
        if ((request.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
          try {
            json = JSON.parse(request.responseText);
          } catch (error) {
            json = null;
          }
        }
        resolve({ status: request.status, json: json });
      });
      function failed() {
        reject(new Outbox.Unreachable());
      }
      request.addEventListener("error", failed);
      request.addEventListener("abort", failed);
      request.addEventListener("timeout", failed);
      request.send(body);
    });
  }

  Sync.use(xhrTransport, hooks);

  function finished(record) {
    var url = record.detailUrl;
    retrying = false;
    setBusy(false);
    clearErrors();
    showStatus(text.textSaved, "success", url ? { href: url, label: text.textOpen } : null);
    statusBox.setAttribute("data-state", "saved");
    if (kind === "activity" && !form.hasAttribute("data-capture-edit")) {
      // Ready for the next activity: a fresh id, nothing carried over.
      form.reset();
      photoList.clear();
      newRecord();
    } else {
      photoList.clear();
      newRecord();
    }
  }

  // The record waits in the outbox: offline, the form is free for the next one.
  function waiting(record) {
    if (navigator.onLine === false) {
      setBusy(false);
      showStatus(text.textQueued, "warning");
      statusBox.setAttribute("data-state", "queued");
      if (kind === "activity" && !form.hasAttribute("data-capture-edit")) form.reset();
      photoList.clear();
      newRecord();
      Sync.refresh();
      // Offline, run() sends nothing but asks for a Background Sync, so the record goes out
      // when the signal returns even if the leader has closed the page by then.
      Sync.run(false);
    } else {
      retrying = true;
      showStatus(text.textRetryLater, "warning");
    }
  }

  // The record this page waits to retry left the outbox: someone else sent it. Saved, then.
  function sentElsewhere() {
    if (!retrying || !recordId) return;
    var id = recordId;
    Outbox.get(id).then(function (record) {
      if (!record && retrying && recordId === id) finished({ detailUrl: null });
    });
  }
  function heard(message) {
    if (message && message.type === "saved") followSaved(message.activityUrl, message.basedOn, message.version);
    sentElsewhere();
  }
  if (typeof BroadcastChannel === "function") {
    new BroadcastChannel(Outbox.CHANNEL).addEventListener("message", function (event) {
      heard(event.data);
    });
  } else {
    window.addEventListener("outbox-changed", function (event) {
      heard(event.detail);
    });
  }

  function fieldsOf() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") fields.push([name, value]);
    });
    return fields;
  }

  function titleOf() {
    var title = form.elements.namedItem("title");
    return (title && title.value) || form.getAttribute("data-capture-title") || "";
  }

  function recordFrom(results) {
    var activityKind = kind === "activity";
    return {
      id: recordId,
      user: Sync.user,
      kind: kind,
      title: titleOf(),
      projectId: form.getAttribute("data-project-id"),
      // Fixed here for the record's life (a reload, a reopened draft, Background Sync all send it there).
      activityUrl: activityKind ? target : null,
      activityId: form.getAttribute("data-activity-id") ? parseInt(form.getAttribute("data-activity-id"), 10) : null,
      activityDone: !activityKind,
      photoUrl: form.getAttribute("data-photo-url") || null,
      detailUrl: form.getAttribute("data-detail-url") || null,
      draftUrl: window.location.pathname,
      fields: activityKind ? fieldsOf() : [],
      photos: photos.map(function (photo, index) {
        return {
          id: photo.id,
          blob: results[index].blob,
          name: results[index].name,
          shrunk: results[index].shrunk,
          caption: photoList.part(photo, "caption").value.trim().slice(0, 200),
          state: "waiting",
          message: "",
        };
      }),
      state: "waiting",
      message: "",
      createdAt: Date.now(),
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    if (kind === "photos" && !photos.length) {
      showStatus(text.textChoose, "warning");
      return;
    }
    if (typeof form.reportValidity === "function" && !form.reportValidity()) return;
    clearErrors();
    setBusy(true);
    showStatus(photos.length ? text.textPreparing : text.textSavingActivity, "info");
    Promise.all(
      photos.map(function (photo) {
        return photo.ready;
      })
    )
      .then(function (results) {
        return Outbox.put(recordFrom(results));
      })
      .then(function (record) {
        photos.forEach(function (photo) {
          photo.state = "queued";
          photoList.setStatus(photo, text.textQueuedPhoto);
        });
        if (navigator.onLine === false) {
          waiting(record);
          return null;
        }
        showStatus(text.textSavingActivity, "info");
        return Sync.run(true);
      })
      .catch(function () {
        // The outbox itself failed (storage full, private mode): say so; the form keeps everything.
        setBusy(false);
        showStatus(text.textStorageFailed, "danger");
      });
  });

  // A draft reopened from the outbox (capture-draft.js) is this page's record from now on.
  function restore(record) {
    recordId = record.id;
    if (clientIdInput) clientIdInput.value = recordId;
    record.photos.forEach(function (saved) {
      if (saved.state === "waiting" && saved.blob) photoList.add(null, saved);
    });
    showStatus(record.message, "danger");
    showErrors(record.errors);
    Sync.refresh();
  }

  window.DangjianCapture = {
    shows: function (id) {
      return id === recordId && busy;
    },
  };

  form.querySelectorAll("[data-capture-plain]").forEach(function (plain) {
    plain.hidden = true;
  });
  if (navigator.maxTouchPoints > 0) {
    // 拍照 opens the camera at once on a phone (capture); a desktop has only the file chooser.
    section.querySelector("[data-capture-camera]").hidden = false;
  }
  section.hidden = false;
  form.setAttribute("data-capture-ready", "");
  newRecord();
  var draft = new URLSearchParams(window.location.search).get("draft");
  if (draft) {
    Draft.reopen(draft, { form: form, kind: kind, target: target, restore: restore });
  }
})();
