// "Listen to this lesson" / "Listen to the question": the phone's own speech voice reads the
// text aloud (the Web Speech API). The controls start hidden and are shown only when the phone
// has a voice for the page's language, so without JavaScript or such a voice nothing shows.
(function () {
  'use strict';
  var synth = window.speechSynthesis;
  var controls = document.querySelectorAll('[data-read-aloud]');
  if (!synth || !window.SpeechSynthesisUtterance || !controls.length) { return; }
  var lang = (document.documentElement.lang || 'vi').toLowerCase().split('-')[0];
  var voice = null;
  var session = 0;
  var speaking = null;

  function findVoice() {
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      var code = String(voices[i].lang || '').toLowerCase().replace('_', '-');
      if (code === lang || code.indexOf(lang + '-') === 0) { return voices[i]; }
    }
    return null;
  }

  // Sentences of at most about 200 characters: some phones stop a long utterance half-way.
  function pieces(text) {
    var out = [];
    text.split(/\n+/).forEach(function (line) {
      var rest = line.replace(/\s+/g, ' ').trim();
      while (rest.length > 200) {
        var cut = Math.max(rest.lastIndexOf('. ', 200), rest.lastIndexOf('? ', 200),
                           rest.lastIndexOf('! ', 200), rest.lastIndexOf(', ', 200));
        if (cut < 40) { cut = rest.lastIndexOf(' ', 200); }
        if (cut < 1) { cut = 200; }
        out.push(rest.slice(0, cut + 1));
        rest = rest.slice(cut + 1).trim();
      }
      if (rest) { out.push(rest); }
    });
    return out;
  }

  function show(control, on) {
    control.querySelector('[data-read-start]').hidden = on;
    control.querySelector('[data-read-stop]').hidden = !on;
  }

  function stop() {
    session += 1;
    synth.cancel();
    if (speaking) {
      var control = speaking;
      speaking = null;
      show(control, false);
      control.querySelector('[data-read-start]').focus();
    }
  }

  function read(control) {
    stop();
    var text = control.getAttribute('data-read-aloud').split(' ').map(function (id) {
      var element = document.getElementById(id);
      return element ? element.innerText : '';
    }).join('\n');
    var parts = pieces(text);
    if (!parts.length) { return; }
    var mine = session;
    speaking = control;
    show(control, true);
    control.querySelector('[data-read-stop]').focus();
    parts.forEach(function (part, index) {
      var utterance = new window.SpeechSynthesisUtterance(part);
      utterance.lang = voice.lang;
      try { utterance.voice = voice; } catch (ignored) { /* the language alone will do */ }
      utterance.rate = 0.9;  // a little slower than usual, for older listeners
      if (index === parts.length - 1) {
        utterance.onend = function () { if (session === mine) { stop(); } };
      }
      utterance.onerror = function () { if (session === mine) { stop(); } };
      synth.speak(utterance);
    });
  }

  function setUp() {
    voice = findVoice();
    controls.forEach(function (control) {
      if (!voice && speaking === control) { stop(); }
      control.hidden = !voice;
    });
  }

  controls.forEach(function (control) {
    control.querySelector('[data-read-start]').addEventListener('click', function () {
      read(control);
    });
    control.querySelector('[data-read-stop]').addEventListener('click', stop);
  });
  // Voices often arrive a moment after the page (Chrome on Android): look again when they do.
  if (synth.addEventListener) { synth.addEventListener('voiceschanged', setUp); }
  // Leaving the page (the next question, the back button) stops the reading.
  window.addEventListener('pagehide', function () { session += 1; synth.cancel(); });
  synth.cancel();  // a reading left over from the page before
  setUp();
}());
