// The capture form's photo list: each photo chosen or shot, with its thumbnail, caption, place
// in the order and state, shrunk on the phone as it is added (capture-shrink.js).
//
// capture.js sends what the list holds and writes each photo's progress into it. Sets
// window.DangjianCapturePhotos (as capture-shrink.js and capture-draft.js share theirs); loaded
// before capture.js.
(function () {
  "use strict";

  var Shrink = window.DangjianShrink;
  if (!Shrink) {
    return;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return String(values[key]);
    });
  }

  function megabytes(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function part(element, name) {
    return element.querySelector("[data-" + name + "]");
  }

  // The list of the form's photo section. options: uuid() for a new photo's id, retry() for a
  // photo's 重试 button, tooMany(message) when more files are chosen than the list has room for.
  function create(section, options) {
    var list = section.querySelector("[data-capture-list]");
    var itemTemplate = section.querySelector("template[data-capture-item]");
    var text = section.dataset;
    var maxPhotos = parseInt(text.maxPhotos || "30", 10);
    var photos = [];
    var busy = false;

    function setStatus(photo, message, tone) {
      var status = part(photo.element, "status");
      status.textContent = message;
      status.className = "small mt-1 " + (tone || "text-secondary");
    }

    function renumber() {
      photos.forEach(function (photo, index) {
        var label = part(photo.element, "caption-label");
        label.textContent = format(text.textCaption, { number: index + 1 });
        part(photo.element, "move-up").disabled = busy || index === 0;
        part(photo.element, "move-down").disabled = busy || index === photos.length - 1;
        part(photo.element, "remove").disabled = busy;
        list.appendChild(photo.element);
      });
      var count = section.querySelector("[data-capture-count]");
      count.textContent = photos.length ? format(text.textCount, { count: photos.length }) : "";
    }

    // A photo from a file, or one saved in the outbox (its id, blob and caption kept).
    function add(file, saved) {
      var element = itemTemplate.content.firstElementChild.cloneNode(true);
      var photo = {
        id: saved ? saved.id : options.uuid(),
        element: element,
        result: null,
        state: "new",
      };
      var caption = part(element, "caption");
      caption.id = "caption-" + photo.id;
      part(element, "caption-label").htmlFor = caption.id;
      caption.value = saved ? saved.caption || "" : "";
      photo.ready = saved
        ? Promise.resolve({ blob: saved.blob, name: saved.name, shrunk: saved.shrunk })
        : Shrink.shrink(file);
      photo.ready.then(function (result) {
        photo.result = result;
        if (photo.state !== "new") return;
        var thumb = part(element, "thumb");
        if (result.shrunk) {
          photo.url = URL.createObjectURL(result.blob);
          thumb.src = photo.url;
        } else {
          thumb.hidden = true;
          part(element, "no-thumb").hidden = false;
        }
        setStatus(
          photo,
          format(result.shrunk ? text.textShrunk : text.textOriginal, { size: megabytes(result.blob.size) })
        );
        photo.element.setAttribute("data-ready", result.shrunk ? "shrunk" : "original");
        // What this photo will cost to send, for the page's tests and the benchmark (bench/capture.py).
        photo.element.setAttribute("data-bytes", String(result.blob.size));
      });
      setStatus(photo, text.textShrinking);
      part(element, "move-up").addEventListener("click", function () {
        move(photo, -1);
      });
      part(element, "move-down").addEventListener("click", function () {
        move(photo, 1);
      });
      part(element, "remove").addEventListener("click", function () {
        remove(photo);
      });
      part(element, "retry").addEventListener("click", function () {
        part(element, "retry").hidden = true;
        setStatus(photo, text.textRetrying);
        options.retry();
      });
      photos.push(photo);
      renumber();
    }

    function move(photo, step) {
      var index = photos.indexOf(photo);
      var target = index + step;
      if (target < 0 || target >= photos.length) return;
      photos.splice(index, 1);
      photos.splice(target, 0, photo);
      renumber();
      part(photo.element, step < 0 ? "move-up" : "move-down").focus();
    }

    function remove(photo) {
      photos.splice(photos.indexOf(photo), 1);
      if (photo.url) URL.revokeObjectURL(photo.url);
      photo.element.remove();
      renumber();
    }

    section.querySelectorAll("input[type=file][data-capture-input]").forEach(function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files || []);
        var room = maxPhotos - photos.length;
        if (files.length > room) {
          options.tooMany(format(text.textTooMany, { count: maxPhotos }));
          files = files.slice(0, Math.max(room, 0));
        }
        files.forEach(function (file) {
          add(file);
        });
        input.value = "";
      });
    });

    return {
      photos: photos, // in the list's order; the same array as the list changes
      add: add,
      clear: function () {
        photos.slice().forEach(remove);
      },
      find: function (id) {
        for (var i = 0; i < photos.length; i += 1) {
          if (photos[i].id === id) return photos[i];
        }
        return null;
      },
      part: function (photo, name) {
        return part(photo.element, name);
      },
      setStatus: setStatus,
      // While a record is being saved: captions read-only, nothing moved or removed.
      setBusy: function (value) {
        busy = value;
        photos.forEach(function (photo) {
          part(photo.element, "caption").readOnly = value;
        });
        renumber();
      },
    };
  }

  window.DangjianCapturePhotos = { create: create, format: format };
})();
