// The agents' chat desk: the waiting list follows the desk's stream, with a chime when it grows.
(function () {
  "use strict";
  const desk = document.querySelector("[data-chat-desk]");
  if (!desk) return;
  let count = Number(desk.dataset.count || 0);
  let audio = null;

  function chime() {
    try {
      audio = audio || new AudioContext();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.value = 0.1;
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.2);
    } catch (ignored) {
      // No sound where the browser allows none; the count still shows.
    }
  }

  const source = new EventSource(desk.dataset.streamUrl);
  source.addEventListener("desk", function (event) {
    const now = JSON.parse(event.data);
    if (now.waiting > count) {
      chime();
      document.title = "(" + now.waiting + ") " + document.title.replace(/^\(\d+\) /, "");
    }
    count = now.waiting;
    desk.dataset.count = String(count);
    if (window.htmx) window.htmx.ajax("GET", desk.dataset.waitingUrl, { target: desk, swap: "innerHTML" });
  });
})();
