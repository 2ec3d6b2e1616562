// A course kept on the phone ("Tải khóa học về máy"): its pages, images, audio and the page
// frame, in the cache the service worker reads offline; and the screens of an open quiz attempt.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.caches || !window.fetch) { return; }
  var en = document.documentElement.lang === "en";
  var T = en ? {
    saving: "Saving the course on this phone…", kept: "Kept on this phone: {size}",
    failed: "Could not save the course. Try again with a connection.",
    updating: "The course has changed: saving the new version…"
  } : {
    saving: "Đang lưu khóa học vào máy…", kept: "Đã lưu trên máy: {size}",
    failed: "Chưa lưu được khóa học. Hãy thử lại khi có mạng.",
    updating: "Khóa học đã thay đổi: đang lưu bản mới…"
  };

  // The screens of an open quiz attempt, kept so that it can be answered offline.
  var screens = document.querySelector("[data-offline-screens]");
  if (screens && navigator.onLine) {
    var urls = screens.getAttribute("data-offline-screens").trim().split(/\s+/);
    urls.unshift(document.documentElement.getAttribute("data-offline-more"));  // to answer offline
    caches.open("lms-pages").then(function (cache) {
      return cache.match(urls[urls.length - 1]).then(function (hit) {
        return hit ? null : cache.addAll(urls);
      });
    }).catch(function () {});
  }

  // A course kept on the phone: its pages, images, audio and the page frame.
  var box = document.querySelector("[data-offline-course]");
  if (!box) { return; }
  var status = box.querySelector(".offline-course-status");
  var saveButton = box.querySelector("[data-offline-save]"), removeButton = box.querySelector("[data-offline-remove]");
  var slug = box.getAttribute("data-slug"), name = "lms-course-" + slug, metaUrl = "/offline/meta/" + slug;

  function size(bytes) {
    return bytes < 1048576 ? Math.max(1, Math.round(bytes / 1024)) + " KB"
      : (bytes / 1048576).toFixed(1).replace(".", en ? "." : ",") + " MB";
  }

  function kept(meta) {
    status.textContent = meta ? T.kept.replace("{size}", size(meta.size)) : "";
    removeButton.hidden = !meta;
    saveButton.hidden = !!meta;
  }

  async function download(message) {
    status.textContent = message;
    saveButton.disabled = true;
    try {
      var bundle = await (await fetch(box.getAttribute("data-offline-course"), { credentials: "same-origin", cache: "no-store" })).json();
      await caches.delete(name);
      var cache = await caches.open(name), total = 0, audio = 0;
      var all = bundle.pages.concat(bundle.frame, bundle.assets, bundle.audio);
      for (var url of all) {
        var response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
        if (!response.ok || response.redirected) { throw new Error(url); }
        var bytes = (await response.clone().blob()).size;
        total += bytes;
        if (bundle.audio.indexOf(url) >= 0) { audio += bytes; }
        await cache.put(url, response);
      }
      var meta = { version: bundle.version, size: total, audio: audio, title: bundle.title };
      await cache.put(metaUrl, new Response(JSON.stringify(meta), { headers: { "Content-Type": "application/json" } }));
      kept(meta);
    } catch (error) {
      await caches.delete(name);
      kept(null);
      status.textContent = T.failed;
    }
    saveButton.disabled = false;
  }

  saveButton.addEventListener("click", function () { download(T.saving); });
  removeButton.addEventListener("click", function () { caches.delete(name).then(function () { kept(null); }); });
  box.hidden = false;
  // caches.has first: opening a cache would create it, and the worker keeps pages in it.
  caches.has(name).then(function (has) {
    return has ? caches.open(name).then(function (cache) { return cache.match(metaUrl); }) : null;
  }).then(function (hit) { return hit ? hit.json() : null; })
    .then(function (meta) {
      kept(meta);
      // An updated course replaces the stored copy on the next visit online.
      if (meta && navigator.onLine && meta.version !== box.getAttribute("data-version")) { download(T.updating); }
    });
})();
