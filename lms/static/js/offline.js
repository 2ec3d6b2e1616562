// Registers the worker (sw.js); loads offline-queue.js only when there is work offline, so that
// pages stay light; logging out sends what waits, then clears what the phone keeps.
(function () {
  "use strict";
  var root = document.documentElement, worker = navigator.serviceWorker;
  if (!worker || !window.caches || !window.fetch) { return; }
  var person = document.body.getAttribute("data-person") || "", loaded = false;
  worker.register(root.getAttribute("data-worker"), { scope: "/" }).catch(function () {});

  // No answer in 8 s (no worker) is an answer: logging out never waits for ever.
  function ask(message) {
    message.person = person;
    return new Promise(function (resolve) {
      setTimeout(function () { resolve(null); }, 8000);
      worker.ready.then(function (registration) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }
  window.lmsOffline = { ask: ask, person: person };

  function more() {
    if (loaded) { return; }
    loaded = true;
    var script = document.createElement("script");
    script.src = root.getAttribute("data-offline-more");
    document.head.appendChild(script);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-offline-logout") && navigator.onLine) {
      event.preventDefault();
      ask({ type: "logout" }).then(function () { form.submit(); });
    }
  });

  // Another person's login: the pages kept for the one before go (her queue waits for her).
  try {
    var owner = localStorage.getItem("lms-owner");
    if (person && owner && owner !== person) { ask({ type: "wipe" }); }
    if (person) { localStorage.setItem("lms-owner", person); }
  } catch (error) { /* storage blocked: nothing kept to compare */ }

  window.addEventListener("offline", more);
  if (!navigator.onLine || document.querySelector("[data-offline-keep]")) {
    more();
  } else if (person) {
    ask({ type: "flush" }).then(function (state) {
      if (state && (state.pending.length || state.refused.length || state.loginEnded || state.sent)) {
        more();
      }
    });
  }
})();
