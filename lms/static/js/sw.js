// The service worker: pages of downloaded courses open offline, and forms queued offline are
// sent when the connection returns. Served by /sw.js with VERSION filled in (a digest of the
// page frame's files) and STYLESHEET (the stylesheet's fingerprinted URL): a new version drops
// the old frame cache. See docs/operations.md.
"use strict";
var VERSION = "__VERSION__";
var FRAME = "lms-frame-" + VERSION;  // CSS, scripts and icons, as fetched
var PAGES = "lms-pages";              // the member's home and the screens of an open quiz attempt
var COURSE = "lms-course-";           // one cache per downloaded course
var loginEnded = "";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("lms-frame-") === 0 && name !== FRAME;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(frame(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (/^\/courses\/[^/]+\/assets\//.test(url.pathname)) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});

// The frame cache is versioned: what it holds is current until the files change.
async function frame(request) {
  var cache = await caches.open(FRAME);
  var hit = await cache.match(request);
  if (hit) { return hit; }
  try {
    var response = await fetch(request);
    if (response.ok) { await cache.put(request, response.clone()); }
    return response;
  } catch (error) {
    return (await caches.match(request, { ignoreSearch: true })) || (await sameFile(request.url)) ||
      Response.error();
  }
}

// Static files are named with a digest of their content ("app.1a2b3c4d5e6f.css"): a page kept
// from before the files changed names an older digest, and any stored copy of that file will do.
function plain(url) { return url.split("?")[0].replace(/\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/, "$1"); }
async function sameFile(url) {
  var wanted = plain(url);
  for (var name of await caches.keys()) {
    var cache = await caches.open(name);
    for (var key of await cache.keys()) {
      if (plain(key.url) === wanted) { return cache.match(key); }
    }
  }
  return null;
}

// Pages: the network first, so that an updated course replaces the stored copy; the stored
// copy when there is no connection.
async function page(request, url) {
  try {
    var response = await fetch(request);
    if (response.ok && response.type === "basic") { await keep(request, url, response.clone()); }
    return response;
  } catch (error) {
    // The newest copy of the home page is in PAGES; a course keeps the one of its download.
    var hit = (await caches.has(PAGES)) && await (await caches.open(PAGES)).match(request, { ignoreVary: true });
    hit = hit || await caches.match(request, { ignoreVary: true });
    if (!hit && url.pathname.indexOf("/courses/") === 0) {
      hit = await caches.match(url.pathname, { ignoreVary: true });
    }
    return hit || offlinePage();
  }
}

async function keep(request, url, response) {
  var name = null, path = url.pathname, slug = path.match(/^\/courses\/([^/]+)/);
  if (path === "/") {  // the member's home, for a member who keeps a course
    var names = await caches.keys();
    name = names.some(function (n) { return n.indexOf(COURSE) === 0; }) ? PAGES : null;
  } else if (slug && await caches.has(COURSE + slug[1])) {
    name = COURSE + slug[1];
  } else if (await caches.has(PAGES) && await (await caches.open(PAGES)).match(request)) {
    name = PAGES;  // a page kept before (a quiz screen, a form marked data-offline-keep): refreshed
  }
  if (name) { await (await caches.open(name)).put(request, response); }
}

function offlinePage() {
  var html = "<!doctype html><html lang=vi><meta charset=utf-8>" +
    "<meta name=viewport content='width=device-width, initial-scale=1'>" +
    "<link rel=stylesheet href='__STYLESHEET__'><title>Ngoại tuyến · Offline</title>" +
    "<main class=page><h1>Bạn đang ngoại tuyến</h1>" +
    "<p>Trang này chưa được tải về máy. Hãy mở lại khi có mạng.</p>" +
    "<p lang=en>You are offline, and this page was not kept on this phone.</p>" +
    "<p><a class='button button-primary' href='/'>Trang chủ · Home</a></p></main></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// The queue: forms sent while offline, in IndexedDB, one record per form.
function store(mode, work) {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("lms-offline", 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
    };
    open.onerror = function () { reject(open.error); };
    open.onsuccess = function () {
      var db = open.result, tx = db.transaction("queue", mode), asked = work(tx.objectStore("queue"));
      tx.oncomplete = function () { db.close(); resolve(asked && asked.result); };
      tx.onerror = function () { db.close(); reject(tx.error); };
    };
  });
}
function items() { return store("readonly", function (s) { return s.getAll(); }); }
function save(item) { return store("readwrite", function (s) { return s.put(item); }); }
function drop(id) { return store("readwrite", function (s) { return s.delete(id); }); }

var sending = null;
// How many forms were sent for each person since her page last said so ("Đã gửi 3 mục").
var sentTo = {};
function flush() {
  sending = sending || send().finally(function () { sending = null; notify(); });
  return sending;
}

// Send the queue in the order it was made, only under the login that made it.
async function send() {
  var queue = await items(), state;
  if (!queue.length) { return; }
  try {
    state = await (await fetch("/offline/state", { credentials: "same-origin", cache: "no-store" })).json();
  } catch (error) { return; }
  loginEnded = "";
  for (var item of queue) {
    if (item.error || String(item.person) !== String(state.person)) { continue; }
    var body = new URLSearchParams(item.body), response;
    body.set("csrf_token", state.csrf);
    try {
      response = await fetch(item.url, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "Idempotency-Key": item.key, "X-Offline-Replay": "1",
                   "X-Offline-Person": String(item.person), "X-CSRFToken": state.csrf } });
    } catch (error) { return; }  // the connection went again: the rest waits
    if (response.status === 200) {
      await drop(item.id);
      sentTo[String(item.person)] = (sentTo[String(item.person)] || 0) + 1;
      continue;
    }
    if (response.status === 429 || response.status >= 500) { return; }
    var reason = "";
    try { reason = (await response.json()).error || ""; } catch (error) { reason = ""; }
    if (response.status === 401) { loginEnded = reason; return; }
    item.error = reason || "?";  // kept, and shown with its reason, until the member lets it go
    await save(item);
  }
}

async function summary(person) {
  var mine = (await items()).filter(function (item) { return String(item.person) === String(person); });
  return {
    pending: mine.filter(function (item) { return !item.error; }).map(function (item) { return item.url; }),
    refused: mine.filter(function (item) { return item.error; }).map(function (item) {
      return { id: item.id, error: item.error, title: item.title };
    }),
    loginEnded: loginEnded,
    sent: sentTo[String(person)] || 0
  };
}

function notify() {
  return self.clients.matchAll().then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "changed" }); });
  });
}

// Personal data: the stored pages and courses; on logging out, also the person's refused forms
// (she has seen why). Forms not sent yet (the server did not answer) stay, tied to her login.
async function wipe(person, withQueue) {
  var names = await caches.keys();
  await Promise.all(names.filter(function (name) {
    return name === PAGES || name.indexOf(COURSE) === 0;
  }).map(function (name) { return caches.delete(name); }));
  if (withQueue) {
    var mine = (await items()).filter(function (item) { return String(item.person) === String(person) && item.error; });
    for (var item of mine) { await drop(item.id); }
  }
}

self.addEventListener("message", function (event) {
  var data = event.data || {}, port = event.ports[0];
  var work = {
    queue: function () {
      return save(data.item).then(function () {
        var sync = self.registration.sync;
        return sync ? sync.register("lms-queue").catch(function () {}) : null;
      });
    },
    flush: flush,
    state: function () { return null; },
    forget: function () { return drop(data.id); },
    // The count is handed to one page only: read and cleared in one step, so two pages (or two
    // questions from one page) never both show it.
    take: function () {
      var key = String(data.person), count = sentTo[key] || 0;
      delete sentTo[key];
      return { taken: count };
    },
    wipe: function () { return wipe(data.person, false); },
    logout: function () { return flush().then(function () { return wipe(data.person, true); }); }
  }[data.type];
  if (!work) { return; }
  event.waitUntil(Promise.resolve(work()).then(function (done) {
    return summary(data.person).then(function (state) {
      if (done && done.taken !== undefined) { state.taken = done.taken; }
      return state;
    });
  })
    .then(function (state) { if (port) { port.postMessage(state); } },
          function () { if (port) { port.postMessage(null); } }));
});

// Background Sync, where the browser has it: the queue goes out when the signal returns,
// even with the page closed. Elsewhere the next page load sends it.
self.addEventListener("sync", function (event) {
  if (event.tag === "lms-queue") { event.waitUntil(flush()); }
});
