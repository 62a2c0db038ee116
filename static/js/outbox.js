// The capture outbox: records (an activity and its photos, or photos for an existing activity)
// kept in IndexedDB until the server has every piece, then removed.
//
// Loaded by pages (with outbox-page.js / capture.js) and by the service worker (sw-core.js), so
// the same code sends from a page, on the `online` event, and from Background Sync. It is a plain
// script that sets self.DangjianOutbox: no build step, no module loader (some in-app browsers run
// service workers without module support).
//
// A record: {id, user, kind: "activity" | "photos", title, projectId, activityUrl, activityId,
// activityDone, photoUrl, detailUrl, draftUrl, fields: [[name, value]...], photos: [{id, blob, name,
// caption, state: "waiting" | "sent" | "refused", message}], state: "waiting" | "refused", message,
// createdAt}. activityUrl is where the activity goes, fixed when the record is made: the create URL
// of the project for a new activity, the edit URL of that activity for an edit (whose fields carry
// based_on, the version the form showed; the server refuses it if another edit came since).
// Every piece carries an id made here (the record's id for the activity, each photo's own id), so
// the server answers a repeat with the row it already has: sending twice is harmless.
(function (root) {
  "use strict";

  var DB_NAME = "dangjian-outbox";
  var STORE = "records";
  var CHANNEL = "dangjian-outbox";
  var LOCK = "dangjian-outbox-send";
  var dbPromise = null;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () {
        resolve(req.result);
      };
      req.onerror = function () {
        reject(req.error);
      };
    });
  }

  function open() {
    if (!root.indexedDB) {
      return Promise.reject(new Error("IndexedDB is not available"));
    }
    if (!dbPromise) {
      var opening = root.indexedDB.open(DB_NAME, 1);
      opening.onupgradeneeded = function () {
        var store = opening.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("user", "user");
      };
      dbPromise = request(opening).then(function (db) {
        db.onversionchange = function () {
          db.close();
          dbPromise = null;
        };
        return db;
      });
      dbPromise.catch(function () {
        dbPromise = null;
      });
    }
    return dbPromise;
  }

  function withStore(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        Promise.resolve(work(tx.objectStore(STORE))).then(function (value) {
          result = value;
        }, reject);
        tx.oncomplete = function () {
          resolve(result);
        };
        tx.onerror = function () {
          reject(tx.error);
        };
        tx.onabort = function () {
          reject(tx.error);
        };
      });
    });
  }

  function tell(message) {
    // Other tabs, this tab and the service worker all listen on the channel; without one (old
    // browsers) at least this page hears of it.
    if (typeof root.BroadcastChannel === "function") {
      var channel = new root.BroadcastChannel(CHANNEL);
      channel.postMessage(message);
      channel.close();
    } else if (typeof root.dispatchEvent === "function" && typeof root.CustomEvent === "function") {
      root.dispatchEvent(new root.CustomEvent("outbox-changed", { detail: message }));
    }
  }

  // Whatever a promise it follows resolved with, the outbox changed.
  function announce() {
    tell({ type: "changed" });
  }

  function put(record) {
    return withStore("readwrite", function (store) {
      store.put(record);
    }).then(function () {
      announce();
      return record;
    });
  }

  function get(id) {
    return withStore("readonly", function (store) {
      return request(store.get(id));
    });
  }

  function remove(id) {
    return withStore("readwrite", function (store) {
      store.delete(id);
    }).then(announce);
  }

  function all(user) {
    return withStore("readonly", function (store) {
      return request(store.getAll());
    }).then(function (records) {
      return records
        .filter(function (record) {
          return user === undefined || record.user === user;
        })
        .sort(function (a, b) {
          return a.createdAt - b.createdAt;
        });
    });
  }

  function clear(user) {
    return all(user).then(function (records) {
      return withStore("readwrite", function (store) {
        records.forEach(function (record) {
          store.delete(record.id);
        });
      }).then(announce);
    });
  }

  function waitingPhotos(record) {
    return record.photos.filter(function (photo) {
      return photo.state === "waiting";
    });
  }

  // What is still to send: each photo, or the activity itself when it has no photo waiting.
  function pieces(record) {
    var photos = waitingPhotos(record).length;
    return photos || (record.activityDone ? 0 : 1);
  }

  function summary(user) {
    return all(user).then(function (records) {
      var total = 0;
      var photos = 0;
      var activities = 0;
      var refused = 0;
      records.forEach(function (record) {
        total += pieces(record);
        photos += waitingPhotos(record).length;
        activities += record.activityDone ? 0 : 1;
        refused += record.state === "refused" ? 1 : 0;
      });
      return { records: records, count: total, photos: photos, activities: activities, refused: refused };
    });
  }

  function uuid() {
    if (root.crypto && typeof root.crypto.randomUUID === "function") {
      return root.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (byte) {
      return (byte + 0x100).toString(16).slice(1);
    });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) {
        return part.join("");
      })
      .join("-");
  }

  // The network failed (or the server is down): the piece stays and is sent again later.
  // `answered`: the server answered, with an error page (a 5xx): try again later, but send the
  // other records meanwhile. Without it the network itself failed: stop and wait for it.
  function Unreachable(message, answered) {
    this.name = "Unreachable";
    this.message = message || "unreachable";
    this.answered = !!answered;
  }
  Unreachable.prototype = Object.create(Error.prototype);

  // A fetch-based transport (the service worker has no XMLHttpRequest): no upload progress.
  function fetchTransport(url, body, csrf) {
    return root
      .fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      })
      .then(
        function (response) {
          var type = response.headers.get("Content-Type") || "";
          var json = type.indexOf("application/json") === 0 ? response.json() : Promise.resolve(null);
          return json.then(function (data) {
            return { status: response.status, json: data, redirected: response.redirected };
          });
        },
        function () {
          throw new Unreachable();
        }
      );
  }

  function session(url) {
    return root.fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } }).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          return { user: null, csrf: "" };
        }
        return response.json();
      },
      function () {
        throw new Unreachable();
      }
    );
  }

  function formBody(fields) {
    var body = new root.URLSearchParams();
    fields.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    return body;
  }

  function fieldOf(record, name) {
    var pair = (record.fields || []).filter(function (field) {
      return field[0] === name;
    })[0];
    return pair ? pair[1] : "";
  }

  // An edit just saved moved its activity to a new version: the later edits of the same activity
  // waiting here were made on this phone after it, on the version it replaced, so they are based on
  // the new one (else each would be refused as overwriting this phone's own edit).
  function rebase(saved, basedOn, records) {
    var later = records.filter(function (record) {
      return (
        record.id !== saved.id &&
        !record.activityDone &&
        record.state !== "refused" &&
        record.activityUrl === saved.activityUrl &&
        fieldOf(record, "based_on") === basedOn
      );
    });
    return Promise.all(
      later.map(function (record) {
        record.fields.forEach(function (field) {
          if (field[0] === "based_on") field[1] = String(saved.version);
        });
        return put(record);
      })
    );
  }

  // Sends what is left of one record; resolves with the record as it stands afterwards (null once
  // removed), rejects with Unreachable when the network or the server failed on the way.
  function sendRecord(record, context) {
    var hooks = context.hooks || {};

    function post(url, body, onProgress) {
      return context.transport(url, body, context.csrf, onProgress).then(function (answer) {
        if (answer.status === 403 && !answer.json && !context.refreshed) {
          // A stale CSRF token (the page came from the cache): take a fresh one, once.
          context.refreshed = true;
          return session(context.sessionUrl).then(function (fresh) {
            context.csrf = fresh.csrf;
            return context.transport(url, body, context.csrf, onProgress);
          });
        }
        return answer;
      });
    }

    function refused(answer) {
      if (answer.json && answer.json.message) return answer.json.message;
      // An error page rather than the portal's answer: a proxy's size limit, most likely.
      if (answer.status === 413) return "文件太大，服务器没有接收（413），请换一张较小的照片。";
      return "服务器拒绝了这次提交（" + answer.status + "）。";
    }

    function isRefusal(answer) {
      return answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429;
    }

    function sendActivity() {
      if (record.activityDone) {
        return Promise.resolve(true);
      }
      return post(record.activityUrl, formBody(record.fields)).then(function (answer) {
        if (answer.status >= 200 && answer.status < 300 && answer.json && answer.json.ok) {
          var basedOn = fieldOf(record, "based_on");
          record.activityDone = true;
          record.activityId = answer.json.activity_id;
          record.version = answer.json.version;
          record.photoUrl = answer.json.photo_url;
          record.detailUrl = answer.json.url;
          record.state = "waiting";
          record.message = "";
          return put(record)
            .then(function () {
              return basedOn ? rebase(record, basedOn, context.records || []) : null;
            })
            .then(function () {
              // Whoever sent it (this page, another tab, the service worker in the background),
              // an edit form open on the version it replaced builds its next edit on the new one.
              if (basedOn) {
                tell({ type: "saved", activityUrl: record.activityUrl, basedOn: basedOn, version: record.version });
              }
              if (hooks.activity) hooks.activity(record, basedOn);
              return true;
            });
        }
        if (isRefusal(answer)) {
          record.state = "refused";
          record.message = refused(answer);
          record.errors = (answer.json && answer.json.errors) || {};
          return put(record).then(function () {
            if (hooks.refused) hooks.refused(record);
            return false;
          });
        }
        throw new Unreachable("activity " + answer.status, true);
      });
    }

    function sendPhoto(photo) {
      var body = new root.FormData();
      body.append("photo", photo.blob, photo.name);
      body.append("caption", photo.caption || "");
      body.append("client_id", photo.id);
      if (hooks.photoStart) hooks.photoStart(record, photo);
      return post(record.photoUrl, body, function (fraction) {
        if (hooks.progress) hooks.progress(record, photo, fraction);
      }).then(
        function (answer) {
          if (answer.status >= 200 && answer.status < 300 && answer.json && answer.json.ok) {
            photo.state = "sent";
            photo.blob = null;
            photo.serverId = answer.json.photo_id;
          } else if (answer.status === 403 && answer.json) {
            // Permission lost: the whole record waits as a draft with the message.
            record.state = "refused";
            record.message = refused(answer);
          } else if (isRefusal(answer)) {
            photo.state = "refused";
            photo.message = refused(answer);
          } else {
            throw new Unreachable("photo " + answer.status, true);
          }
          return put(record).then(function () {
            if (hooks.photo) hooks.photo(record, photo);
          });
        },
        function (error) {
          if (hooks.photoFailed) hooks.photoFailed(record, photo);
          throw error;
        }
      );
    }

    function sendPhotos() {
      var next = waitingPhotos(record)[0];
      if (!next || record.state === "refused") {
        return Promise.resolve();
      }
      // One at a time, in the order chosen: the gallery keeps it, and a weak link is not split.
      return sendPhoto(next).then(sendPhotos);
    }

    return sendActivity()
      .then(function (done) {
        return done ? sendPhotos() : null;
      })
      .then(function () {
        var refusedPhotos = record.photos.filter(function (photo) {
          return photo.state === "refused";
        });
        if (record.state !== "refused" && refusedPhotos.length && !waitingPhotos(record).length) {
          // The activity and the other photos are in; a photo the server refused (not an image,
          // too large) stays here with its reason, never dropped in silence.
          record.state = "refused";
          record.message = refusedPhotos
            .map(function (photo) {
              return "照片“" + photo.name + "”没有保存：" + photo.message;
            })
            .join("；");
          return put(record).then(function () {
            if (hooks.refused) hooks.refused(record);
            return record;
          });
        }
        if (record.state === "refused" || waitingPhotos(record).length) {
          return record;
        }
        return remove(record.id).then(function () {
          if (hooks.done) hooks.done(record);
          return null;
        });
      });
  }

  function locked(work) {
    // One sender per browser at a time (tabs and the service worker): no piece twice in flight.
    if (root.navigator && root.navigator.locks && typeof root.navigator.locks.request === "function") {
      return root.navigator.locks.request(LOCK, work);
    }
    return work();
  }

  // Sends every waiting record of the logged-in user; options: {sessionUrl, transport, hooks,
  // only: record id}. Resolves with {sent, left}; rejects with Unreachable when offline.
  function sendAll(options) {
    return locked(function () {
      return session(options.sessionUrl).then(function (who) {
        if (!who.user) {
          return { sent: 0, left: null, loggedOut: true };
        }
        var context = {
          records: [],
          csrf: who.csrf,
          sessionUrl: options.sessionUrl,
          transport: options.transport || fetchTransport,
          hooks: options.hooks,
        };
        return all(who.user).then(function (records) {
          context.records = records;
          var sent = 0;
          var serverError = null;
          var queue = records.filter(function (record) {
            return record.state !== "refused" && (!options.only || record.id === options.only);
          });
          function next() {
            var record = queue.shift();
            if (!record) {
              // A record the server failed on is tried again later (back-off); the rest went.
              if (serverError) throw serverError;
              return { sent: sent, user: who.user };
            }
            return sendRecord(record, context).then(
              function (left) {
                sent += left ? 0 : 1;
                return next();
              },
              function (error) {
                if (!(error && error.answered)) throw error;
                serverError = error;
                return next();
              }
            );
          }
          return next();
        });
      });
    });
  }

  root.DangjianOutbox = {
    put: put,
    get: get,
    remove: remove,
    all: all,
    clear: clear,
    summary: summary,
    pieces: pieces,
    sendAll: sendAll,
    session: session,
    uuid: uuid,
    Unreachable: Unreachable,
    CHANNEL: CHANNEL,
  };
})(self);
