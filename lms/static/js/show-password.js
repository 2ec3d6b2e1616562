// "Show the password": a checkbox that starts hidden (it needs JavaScript) and switches the
// password fields named in its data-shows attribute between hidden and plain text.
(function () {
  'use strict';
  document.querySelectorAll('[data-show-password]').forEach(function (box) {
    var fields = box.getAttribute('data-shows').split(' ')
      .map(function (id) { return document.getElementById(id); })
      .filter(function (field) { return field; });
    if (!fields.length) { return; }
    box.addEventListener('change', function () {
      fields.forEach(function (field) { field.type = box.checked ? 'text' : 'password'; });
    });
    // Never leave a password on show when the form is sent (the browser may offer to store
    // the text field otherwise).
    if (box.form) {
      box.form.addEventListener('submit', function () {
        fields.forEach(function (field) { field.type = 'password'; });
      });
    }
    var wrapper = box.closest('[hidden]');
    if (wrapper) { wrapper.hidden = false; }
  });
}());
