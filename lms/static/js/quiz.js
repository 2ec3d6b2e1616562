// One-question quiz screens: save the answer as soon as it is chosen (the page works without
// this; it only spares an answer from a closed tab). The server answers 204 to "autosave".
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = form.querySelector(".autosave-status");
  var timer = null;
  var labels = document.documentElement.lang === "en"
    ? { saved: "Answer saved.", offline: "Not saved yet: no connection. It will be saved when you go on." }
    : { saved: "Đã lưu câu trả lời.", offline: "Chưa lưu được vì mất kết nối. Câu trả lời sẽ được lưu khi bạn bấm đi tiếp." };

  function save() {
    var data = new FormData(form);
    data.set("action", "autosave");
    // form.action would be the buttons named "action": read the attribute.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (status) { status.textContent = response.status === 204 ? labels.saved : ""; }
      })
      .catch(function () { if (status) { status.textContent = labels.offline; } });
  }

  form.addEventListener("change", save);
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") { return; }
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
})();
