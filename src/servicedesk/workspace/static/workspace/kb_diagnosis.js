// The diagnosis panel's "Use as reply" buttons: put a workaround or an article's link in the
// reply box as a public reply, for the agent to read over and send.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-reply-text]");
  if (!button) return;
  const box = document.getElementById("comment-body");
  if (!box) return;
  const text = button.dataset.replyText;
  box.value = box.value.trim() ? `${box.value.trimEnd()}\n\n${text}` : text;
  const publicReply = document.querySelector('input[name="internal"][value="0"]');
  if (publicReply) publicReply.checked = true;
  box.focus();
  box.scrollIntoView({ block: "center" });
});
