// The portal's small behaviours: people pickers (chips) and file drop zones.
// Everything a person typed is put into the page with textContent, never as HTML.
(() => {
  "use strict";

  function chip(picker, id, label) {
    const item = document.createElement("li");
    item.className = "person-chip";
    item.dataset.personId = id;
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.field;
    input.value = id;
    const name = document.createElement("span");
    name.textContent = label;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close";
    remove.dataset.removePerson = "";
    remove.setAttribute("aria-label", "Remove " + label);
    item.append(input, name, " ", remove);
    return item;
  }

  function pick(button) {
    const picker = button.closest("[data-people-picker]");
    const chosen = picker.querySelector("[data-chosen]");
    const id = button.dataset.personId;
    if (picker.hasAttribute("data-single")) chosen.replaceChildren();
    if (!chosen.querySelector(`[data-person-id="${CSS.escape(id)}"]`)) {
      chosen.append(chip(picker, id, button.dataset.personLabel));
    }
    const search = picker.querySelector("input[type=search]");
    search.value = "";
    picker.querySelector(".people-results").replaceChildren();
    search.focus();
  }

  document.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-pick-person]");
    if (choice) {
      pick(choice);
      return;
    }
    const remove = event.target.closest("[data-remove-person]");
    if (remove) {
      const picker = remove.closest("[data-people-picker]");
      remove.closest("li").remove();
      picker.querySelector("input[type=search]").focus();
    }
  });

  // Enter in a people search picks the first match instead of submitting the whole form.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.matches("[data-people-picker] input[type=search]")) {
      return;
    }
    event.preventDefault();
    const first = event.target.closest("[data-people-picker]").querySelector("[data-pick-person]");
    if (first) pick(first);
  });

  function listFiles(zone) {
    const input = zone.querySelector("input[type=file]");
    const list = zone.querySelector("[data-file-list]");
    list.replaceChildren(
      ...Array.from(input.files).map((file) => {
        const item = document.createElement("li");
        item.textContent = `${file.name} (${Math.max(1, Math.ceil(file.size / 1024))} KB)`;
        return item;
      }),
    );
  }

  const zoneOf = (event) => event.target.closest && event.target.closest("[data-drop-zone]");

  document.addEventListener("change", (event) => {
    const zone = zoneOf(event);
    if (zone && event.target.type === "file") listFiles(zone);
  });
  document.addEventListener("dragover", (event) => {
    const zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("drag-over");
  });
  document.addEventListener("dragleave", (event) => {
    const zone = zoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("drag-over");
  });
  document.addEventListener("drop", (event) => {
    const zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("drag-over");
    const input = zone.querySelector("input[type=file]");
    // Dropped files join those already chosen rather than replacing them.
    const merged = new DataTransfer();
    for (const file of input.files) merged.items.add(file);
    for (const file of event.dataTransfer.files) merged.items.add(file);
    input.files = merged.files;
    listFiles(zone);
  });
})();
