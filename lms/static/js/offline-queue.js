// Offline use, loaded by offline.js when there is something to do offline: says when the phone
// is offline, queues forms marked data-offline-queue while offline and shows how many wait
// ("Chờ gửi (3)") and why a form was refused. Courses kept on the phone: offline-course.js.
(function () {
  "use strict";
  var root = document.documentElement, offline = window.lmsOffline;
  if (!offline) { return; }
  var en = root.lang === "en", person = offline.person, ask = offline.ask;
  var T = en ? {
    offline: "You are offline: this is the copy kept on this phone. What you do is sent when the signal returns.",
    waiting: "Waiting to send ({n})", queued: "Kept on this phone: it will be sent when the signal returns.",
    refused: "Not recorded:", dismiss: "I understand, remove it",
    sent: "Sent: {n} kept on this phone, now recorded."
  } : {
    offline: "Bạn đang ngoại tuyến: đây là bản đã lưu trên máy. Việc bạn làm sẽ được gửi khi có mạng.",
    waiting: "Chờ gửi ({n})", queued: "Đã lưu trên máy: sẽ gửi đi khi có mạng.",
    refused: "Chưa ghi nhận được:", dismiss: "Tôi đã hiểu, xóa đi",
    sent: "Đã gửi: {n} mục lưu trên máy nay đã được ghi nhận."
  };
  var main = document.querySelector("main") || document.body;
  var bar = document.createElement("div");
  bar.className = "offline-bar";
  bar.setAttribute("role", "status");
  main.insertBefore(bar, main.firstChild);

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // The notice, the count of forms waiting, what was sent, and forms the server refused, with why.
  var sentHere = 0;
  function show(state) {
    bar.textContent = "";
    if (!navigator.onLine) { bar.appendChild(element("p", "flash flash-warning", T.offline)); }
    if (!state) { return; }
    if (state.loginEnded) { bar.appendChild(element("p", "flash flash-error", state.loginEnded)); }
    if (state.sent) {  // the worker hands the count to one page only ("take")
      ask({ type: "take" }).then(function (reply) {
        if (reply && reply.taken) { sentHere += reply.taken; show(reply); }
      });
    }
    if (sentHere) {
      bar.appendChild(element("p", "flash flash-success", "✓ " + T.sent.replace("{n}", sentHere)));
    }
    if (state.pending.length) {
      bar.appendChild(element("p", "queue-count", T.waiting.replace("{n}", state.pending.length)));
    }
    state.refused.forEach(function (item) {
      var box = element("div", "flash flash-error");
      box.appendChild(element("p", "", T.refused + " " + (item.title || "")));
      box.appendChild(element("p", "", item.error));
      var button = element("button", "link-button", T.dismiss);
      button.type = "button";
      button.addEventListener("click", function () { ask({ type: "forget", id: item.id }).then(show); });
      box.appendChild(button);
      bar.appendChild(box);
    });
    document.querySelectorAll("form[data-offline-note]").forEach(function (form) {
      if (state.pending.indexOf(form.getAttribute("action")) >= 0 && !form.querySelector(".queued-note")) {
        form.appendChild(element("p", "queued-note done-mark", "✓ " + T.queued));
      }
    });
  }

  function refresh() {
    show(null);
    if (!person) { return; }
    ask({ type: navigator.onLine ? "flush" : "state" }).then(show);
  }

  // A page kept on the phone may be opened days later: its "today" fields say today.
  function today() {
    var now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    document.querySelectorAll("form[data-offline-today]").forEach(function (form) {
      var input = form.elements[form.getAttribute("data-offline-today")];
      if (input) { input.value = now; }
    });
  }

  function key() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 14);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-offline-queue") || navigator.onLine || !person) { return; }
    event.preventDefault();
    // Fields named in data-offline-fresh (a form's one-time token) get a new value for each
    // queued copy: a page kept on the phone would otherwise send the same token twice.
    (form.getAttribute("data-offline-fresh") || "").split(/\s+/).forEach(function (field) {
      if (field && form.elements[field]) { form.elements[field].value = key().replace(/-/g, ""); }
    });
    var data = new FormData(form), button = event.submitter;
    if (button && button.name) { data.append(button.name, button.value); }
    var next = (button && button.getAttribute("data-offline-next")) || form.getAttribute("data-offline-next");
    ask({ type: "queue", item: {
      url: form.getAttribute("action") || location.pathname + location.search, body: new URLSearchParams(data).toString(), key: key(),
      person: person, title: document.title, made: Date.now() } }).then(function (state) {
      if (next) { window.location.href = next; return; }
      form.reset();  // ready for the next entry; the count above says it waits
      today();
      show(state);
      window.scrollTo(0, 0);
    });
  });

  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "changed" && person) { ask({ type: "state" }).then(show); }
  });
  window.addEventListener("online", refresh);
  window.addEventListener("offline", refresh);

  refresh();
  if (!navigator.onLine) { today(); }
  // A page marked data-offline-keep (a form to fill in offline) is kept on the phone.
  if (person && navigator.onLine && document.querySelector("[data-offline-keep]")) {
    caches.open("lms-pages").then(function (cache) { return cache.add(location.pathname); })
      .catch(function () {});
  }
})();
