// The reply box's canned-response picker: puts the chosen text (placeholders already filled
// by the server) where the cursor is, so the agent can still edit it before sending.
document.addEventListener("change", (event) => {
  const picker = event.target.closest("[data-canned-for]");
  if (!picker || !picker.value) return;
  const texts = JSON.parse(document.getElementById("canned-texts").textContent);
  const box = document.getElementById(picker.dataset.cannedFor);
  const text = texts[picker.value] || "";
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.focus();
  box.setSelectionRange(start + text.length, start + text.length);
  picker.value = "";
});
