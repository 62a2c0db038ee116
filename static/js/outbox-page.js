// On every page of a logged-in user: registers the service worker, shows the outbox as 待同步
// badges and a list, sends what waits (on load, when the network returns, with back-off after a
// failure, and through Background Sync where the browser has it), and clears the outbox and the
// pages kept offline when the user logs out (after a warning if something is unsent).
//
// Reads its settings and texts from <div id="outbox-config" data-...> (templates/includes/outbox.html).
// capture.js hands this page its XMLHttpRequest transport (upload progress) and hooks.
(function () {
  "use strict";

  var config = document.getElementById("outbox-config");
  var Outbox = window.DangjianOutbox;
  if (!config || !Outbox) {
    return;
  }
  var text = config.dataset;
  var user = parseInt(text.user, 10);
  var DELAYS = [2000, 4000, 8000, 15000, 30000, 60000];
  var attempt = 0;
  var timer = null;
  var running = null;
  var again = false;
  var transport = null;
  var hooks = {};

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return String(values[key]);
    });
  }

  // Badges: <span data-outbox-badge [data-project-id]> with a <span data-outbox-count> inside.
  function showBadges(state) {
    document.querySelectorAll("[data-outbox-badge]").forEach(function (badge) {
      var project = badge.getAttribute("data-project-id");
      var records = state.records.filter(function (record) {
        return !project || String(record.projectId) === project;
      });
      var count = records.reduce(function (sum, record) {
        return sum + Outbox.pieces(record);
      }, 0);
      var count_holder = badge.querySelector("[data-outbox-count]");
      if (count_holder) {
        count_holder.textContent = String(count);
      }
      badge.hidden = count === 0;
    });
  }

  function button(label, className, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm " + className;
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function recordLine(record) {
    var item = document.createElement("li");
    item.className = "list-group-item";
    item.setAttribute("data-outbox-record", record.id);
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = record.title || text.textUntitled;
    item.appendChild(title);
    var detail = document.createElement("div");
    detail.className = "small text-secondary";
    var waiting = record.photos.filter(function (photo) {
      return photo.state === "waiting";
    }).length;
    var parts = [];
    if (!record.activityDone) parts.push(text.textActivityWaiting);
    if (waiting) parts.push(format(text.textPhotosWaiting, { count: waiting }));
    detail.textContent = parts.join("，");
    item.appendChild(detail);
    if (record.state === "refused") {
      var reason = document.createElement("div");
      reason.className = "small text-danger";
      reason.setAttribute("data-outbox-refused", "");
      reason.textContent = record.message;
      item.appendChild(reason);
    }
    var actions = document.createElement("div");
    actions.className = "d-flex flex-wrap align-items-center gap-2 mt-2";
    if (record.state === "refused") {
      if (record.activityDone && record.detailUrl) {
        // The activity is saved: what was refused is a photo, to add again on the activity's page.
        var open = document.createElement("a");
        open.className = "btn btn-sm btn-outline-primary";
        open.href = record.detailUrl;
        open.textContent = text.textOpenActivity;
        actions.appendChild(open);
      } else if (record.draftUrl) {
        var edit = document.createElement("a");
        edit.className = "btn btn-sm btn-outline-primary";
        edit.href = record.draftUrl + (record.draftUrl.indexOf("?") < 0 ? "?" : "&") + "draft=" + record.id;
        edit.textContent = text.textEditDraft;
        actions.appendChild(edit);
      }
    } else {
      actions.appendChild(
        button(text.textSendNow, "btn-outline-primary", function () {
          run(true);
        })
      );
    }
    actions.appendChild(
      button(text.textDiscard, "btn-outline-secondary", function () {
        if (window.confirm(text.textDiscardConfirm)) {
          Outbox.remove(record.id);
        }
      })
    );
    item.appendChild(actions);
    return item;
  }

  // The list: <div data-outbox-panel [data-project-id]> holding an <ul data-outbox-list>.
  function showPanels(state) {
    document.querySelectorAll("[data-outbox-panel]").forEach(function (panel) {
      var project = panel.getAttribute("data-project-id");
      var list = panel.querySelector("[data-outbox-list]");
      var records = state.records.filter(function (record) {
        return (!project || String(record.projectId) === project) && !record.onScreen;
      });
      list.replaceChildren.apply(list, records.map(recordLine));
      panel.hidden = records.length === 0;
    });
  }

  var showing = null;
  function refresh() {
    if (showing) {
      return showing;
    }
    showing = Outbox.summary(user)
      .then(function (state) {
        state.records.forEach(function (record) {
          record.onScreen = window.DangjianCapture && window.DangjianCapture.shows(record.id);
        });
        showBadges(state);
        showPanels(state);
        return state;
      })
      .catch(function () {
        return null;
      })
      .then(function (state) {
        showing = null;
        return state;
      });
    return showing;
  }

  function registerSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready
      .then(function (registration) {
        if (registration.sync) {
          return registration.sync.register("dangjian-outbox");
        }
        return null;
      })
      .catch(function () {
        // Background Sync refused (permission, private mode): the page and `online` still send.
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    var delay = DELAYS[Math.min(attempt, DELAYS.length - 1)];
    attempt += 1;
    timer = window.setTimeout(function () {
      run(false);
    }, delay);
    registerSync();
  }

  // Sends what waits; `now` (a tap on 重试 / 立即发送) forgets the back-off.
  function run(now) {
    if (now) {
      attempt = 0;
    }
    if (running) {
      again = true;
      return running;
    }
    window.clearTimeout(timer);
    if (navigator.onLine === false) {
      // Nothing to try until the `online` event: a request now would only fail.
      registerSync();
      return Promise.resolve(null);
    }
    running = Outbox.sendAll({ sessionUrl: text.sessionUrl, transport: transport, hooks: hooks })
      .then(
        function (result) {
          attempt = 0;
          return result;
        },
        function (error) {
          if (hooks.unreachable) hooks.unreachable(error);
          schedule();
          return null;
        }
      )
      .then(function (result) {
        running = null;
        refresh();
        if (again) {
          again = false;
          return run(false);
        }
        return result;
      });
    return running;
  }

  // Hands the worker the pages to keep for offline use: the links marked data-offline-page (记录活动)
  // and this page itself (the worker keeps only the pages it knows, and fetches none twice).
  function cachePages() {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
    var urls = Array.prototype.map.call(document.querySelectorAll("a[data-offline-page]"), function (link) {
      return link.href.split("#")[0];
    });
    urls.push(window.location.href.split("#")[0]);
    navigator.serviceWorker.controller.postMessage({ type: "pages", user: user, urls: urls });
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !text.swUrl) return;
    navigator.serviceWorker
      .register(text.swUrl, { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function () {
        if (navigator.serviceWorker.controller) {
          cachePages();
        } else {
          // First visit: the worker takes the page over (clients.claim) and then keeps its links.
          navigator.serviceWorker.addEventListener("controllerchange", cachePages, { once: true });
        }
      })
      .catch(function () {
        // No worker (an in-app browser, private mode): the outbox still works while the page is open.
      });
  }

  function onLogout(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-logout]") || form.hasAttribute("data-outbox-cleared")) {
      return;
    }
    event.preventDefault();
    Outbox.summary(user)
      .then(function (state) {
        var unsent = state.records.length;
        if (unsent && !window.confirm(format(text.textLogoutWarning, { count: state.count }))) {
          return false;
        }
        return Outbox.clear(user).then(function () {
          return true;
        });
      }, function () {
        return true;
      })
      .then(function (leave) {
        if (!leave) return;
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage({ type: "logout" });
        }
        form.setAttribute("data-outbox-cleared", "");
        freshToken(form).then(function () {
          form.submit();
        });
      });
  }

  // A page served from the offline cache carries the CSRF token of the visit that cached it,
  // which the server may no longer accept (a new login rotates it): the form takes a fresh one.
  function freshToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!field || !text.sessionUrl) return Promise.resolve();
    return Outbox.session(text.sessionUrl)
      .then(function (who) {
        if (who.csrf) field.value = who.csrf;
      })
      .catch(function () {
        // Unreachable: the form goes as it is, and the browser says it is offline.
      });
  }

  if (typeof BroadcastChannel === "function") {
    new BroadcastChannel(Outbox.CHANNEL).addEventListener("message", refresh);
  }
  window.addEventListener("outbox-changed", refresh);
  window.addEventListener("online", function () {
    run(true);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") run(false);
  });
  document.addEventListener("submit", onLogout);

  window.DangjianSync = {
    run: run,
    refresh: refresh,
    use: function (ownTransport, ownHooks) {
      transport = ownTransport;
      hooks = ownHooks || {};
    },
    user: user,
    sessionUrl: text.sessionUrl,
  };

  registerWorker();
  refresh().then(function (state) {
    if (state && state.records.some(function (record) { return record.state !== "refused"; })) {
      run(false);
    }
  });
})();
