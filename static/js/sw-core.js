// The service worker's work; /sw.js (config/service_worker.py) sets self.DANGJIAN_SW to the
// asset URLs as {% static %} names them (hashed in production) and imports this file and outbox.js.
//
// - Assets (our CSS/JS, Bootstrap) are kept at install and served from the cache first.
// - The capture pages, the home page, project and activity pages are fetched from the network
//   first and kept; with no network the kept copy is shown, else a short offline page. Pages the
//   home page links to with data-offline-page (记录活动) are fetched and kept ahead of time, so a
//   leader can open 记录活动 where there is no signal.
// - Background Sync sends the outbox when the network returns, even with the page closed.
// - Logging out (a message from the page) or another user logging in drops the kept pages.
/* global DANGJIAN_SW, DangjianOutbox */
(function () {
  "use strict";

  var config = self.DANGJIAN_SW;
  var ASSETS = "dangjian-assets-" + config.version;
  var PAGES = "dangjian-pages";
  var USER_KEY = "/__dangjian-user__";
  var pagePatterns = config.pages.map(function (pattern) {
    return new RegExp(pattern);
  });

  self.addEventListener("install", function (event) {
    event.waitUntil(
      caches
        .open(ASSETS)
        .then(function (cache) {
          return cache.addAll(config.assets.concat([config.offline]));
        })
        .then(function () {
          return self.skipWaiting();
        })
    );
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(
      caches
        .keys()
        .then(function (names) {
          return Promise.all(
            names
              .filter(function (name) {
                return name.indexOf("dangjian-assets-") === 0 && name !== ASSETS;
              })
              .map(function (name) {
                return caches.delete(name);
              })
          );
        })
        .then(function () {
          return self.clients.claim();
        })
    );
  });

  function keepable(response) {
    return response && response.ok && !response.redirected && response.type === "basic";
  }

  // A hashed name (ManifestStaticFilesStorage: name.0123456789ab.css) never changes content; an
  // unhashed one (a development run) is refreshed in the background after serving the kept copy.
  var HASHED = /\.[0-9a-f]{12}\.\w+$/;

  function fromAssets(request) {
    return caches.open(ASSETS).then(function (cache) {
      function refresh() {
        return fetch(request).then(function (response) {
          if (keepable(response)) cache.put(request, response.clone());
          return response;
        });
      }
      return cache.match(request).then(function (hit) {
        if (!hit) return refresh();
        if (!HASHED.test(new URL(request.url).pathname)) {
          refresh().catch(function () {
            return null;
          });
        }
        return hit;
      });
    });
  }

  function offlinePage() {
    return caches.match(config.offline, { cacheName: ASSETS });
  }

  // Every change to the kept pages goes through this chain: a user's switch (which empties the
  // cache) never races a page being kept.
  var pagesChain = Promise.resolve();
  function withPages(work) {
    pagesChain = pagesChain.then(function () {
      return caches.open(PAGES).then(work);
    }).catch(function () {
      return null;
    });
    return pagesChain;
  }

  function networkFirst(request) {
    return fetch(request).then(
      function (response) {
        if (keepable(response)) {
          var copy = response.clone();
          withPages(function (cache) {
            return cache.put(request.url, copy);
          });
        }
        return response;
      },
      function () {
        return caches.match(request.url, { cacheName: PAGES, ignoreSearch: true }).then(function (hit) {
          return hit || offlinePage();
        });
      }
    );
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    var url = new URL(request.url);
    if (request.method !== "GET" || url.origin !== self.location.origin) {
      return;
    }
    if (url.pathname.indexOf(config.staticUrl) === 0) {
      event.respondWith(fromAssets(request));
      return;
    }
    if (request.mode !== "navigate") {
      return;
    }
    var keep = pagePatterns.some(function (pattern) {
      return pattern.test(url.pathname);
    });
    if (keep) {
      event.respondWith(networkFirst(request));
    } else {
      event.respondWith(
        fetch(request).catch(function () {
          return offlinePage();
        })
      );
    }
  });

  // The pages are one user's: another user's login drops the previous user's copies.
  function keepPages(user, urls) {
    return withPages(function (cache) {
      return cache
        .match(USER_KEY)
        .then(function (hit) {
          return hit ? hit.text() : null;
        })
        .then(function (previous) {
          if (previous === String(user)) return cache;
          var emptied = previous === null ? Promise.resolve(true) : caches.delete(PAGES);
          return emptied
            .then(function () {
              return caches.open(PAGES);
            })
            .then(function (fresh) {
              return fresh.put(USER_KEY, new Response(String(user))).then(function () {
                return fresh;
              });
            });
        })
        .then(function (kept) {
          var wanted = urls.filter(function (url) {
            var path = new URL(url, self.location.origin).pathname;
            return pagePatterns.some(function (pattern) {
              return pattern.test(path);
            });
          });
          return Promise.all(
            wanted.map(function (url) {
              // A page kept before is refreshed whenever it is opened online; no need to fetch it again.
              return kept.match(url).then(function (hit) {
                if (hit) return null;
                return fetch(url, { credentials: "same-origin" }).then(
                  function (response) {
                    return keepable(response) ? kept.put(url, response) : null;
                  },
                  function () {
                    return null;
                  }
                );
              });
            })
          );
        });
    });
  }

  function tell(source, message) {
    if (source && typeof source.postMessage === "function") source.postMessage(message);
  }

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "pages") {
      event.waitUntil(
        keepPages(data.user, data.urls || []).then(function () {
          tell(event.source, { type: "pages-kept", urls: data.urls || [] });
        })
      );
    } else if (data.type === "logout") {
      event.waitUntil(caches.delete(PAGES));
    }
  });

  self.addEventListener("sync", function (event) {
    if (event.tag === "dangjian-outbox") {
      event.waitUntil(DangjianOutbox.sendAll({ sessionUrl: config.sessionUrl }));
    }
  });
})();
