// A live chat: lines arrive over server-sent events and are shown once each, in id order.
// A line is shown only when the stream brings it back, so what is on screen is what was stored.
(function () {
  "use strict";
  const root = document.querySelector("[data-chat]");
  if (!root) return;
  const log = root.querySelector("[data-chat-log]");
  const statusLine = root.querySelector("[data-chat-status]");
  const connection = root.querySelector("[data-chat-connection]");
  const form = root.querySelector("[data-chat-form]");
  const errorBox = root.querySelector("[data-chat-error]");
  const seen = new Set();
  let last = Number(root.dataset.after || 0);
  let source = null;
  let ended = false;

  log.querySelectorAll("[data-event-id]").forEach(function (li) {
    seen.add(Number(li.dataset.eventId));
  });

  function words(name, values) {
    let text = root.dataset[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.replace("{" + key + "}", values[key]);
    });
    return text;
  }

  function render(line) {
    if (seen.has(line.id)) return;
    seen.add(line.id);
    last = Math.max(last, line.id);
    const item = document.createElement("li");
    item.className = "chat-line chat-" + line.kind + " chat-side-" + line.side;
    item.dataset.eventId = String(line.id);
    const meta = document.createElement("span");
    meta.className = "chat-meta";
    meta.textContent = line.author + " · " + line.time;
    const body = document.createElement("span");
    body.className = "chat-body";
    if (line.kind === "message") {
      body.textContent = line.body;
    } else if (line.kind === "file") {
      const link = document.createElement("a");
      link.href = line.file_url;
      link.textContent = line.file_name;
      body.append(link, document.createTextNode(" " + line.body));
    } else {
      body.classList.add("chat-notice");
      body.textContent = line.kind_display || line.kind;
      if (line.body) body.textContent += ": " + line.body;
    }
    item.append(meta, body);
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function showStatus(status) {
    const parts = [];
    if (status.state === "waiting") parts.push(words("textWaiting", { position: status.position }));
    if (status.state === "active") {
      const active = root.dataset.side === "desk" ? "textHeld" : "textActive";
      parts.push(words(active, { agent: status.agent }));
    }
    if (status.state === "ended") parts.push(words("textEnded"));
    if (status.requester_left && root.dataset.side === "desk") parts.push(words("textLeft"));
    if (status.ticket) parts.push(words("textTicket", { ticket: status.ticket }));
    statusLine.textContent = parts.join(" ");
    statusLine.dataset.state = status.state;
    root.dataset.requesterLeft = status.requester_left ? "yes" : "no";
    if (status.state === "ended") {
      ended = true;
      if (source) source.close();
      if (form) form.hidden = true;
    }
  }

  function setOnline(online) {
    connection.hidden = online;
    connection.textContent = online ? "" : words("textOffline");
  }

  function connect() {
    if (ended) return;
    if (source) source.close();
    source = new EventSource(root.dataset.streamUrl + "?after=" + last);
    source.addEventListener("line", function (event) { render(JSON.parse(event.data)); });
    source.addEventListener("status", function (event) { showStatus(JSON.parse(event.data)); });
    source.addEventListener("open", function () { setOnline(true); });
    source.addEventListener("error", function () {
      setOnline(false);
      // The browser retries by itself (with Last-Event-ID) unless it gave up: then we do.
      if (source.readyState === EventSource.CLOSED && !ended) window.setTimeout(connect, 3000);
    });
  }

  window.addEventListener("offline", function () {
    if (source) source.close();
    setOnline(false);
  });
  window.addEventListener("online", connect);

  if (form) {
    const body = form.querySelector("textarea");
    body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errorBox.textContent = "";
      const data = new FormData(form);
      const typed = body.value;
      const file = form.querySelector("input[type=file]");
      // The box is free for the next line at once; a refused line comes back into it.
      body.value = "";
      file.value = "";
      function giveBack(message) {
        errorBox.textContent = message;
        body.value = body.value ? typed + "\n" + body.value : typed;
      }
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          if (response.ok) return null;
          return response.json().then(function (error) { giveBack(error.message); });
        })
        .catch(function () { giveBack(words("textNotSent")); });
    });
  }

  document.querySelectorAll("[data-chat-insert]").forEach(function (select) {
    select.addEventListener("change", function () {
      const box = form && form.querySelector("textarea");
      if (box && select.value) {
        box.value = box.value ? box.value + "\n" + select.value : select.value;
        box.focus();
      }
      select.value = "";
    });
  });

  if (root.dataset.leaveUrl) {
    window.addEventListener("pagehide", function () {
      if (ended || !form) return;
      const data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      navigator.sendBeacon(root.dataset.leaveUrl, data);
    });
  }

  connect();
})();
