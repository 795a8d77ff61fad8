// The priority-code list offers only the codes of the chosen category (the triage form, Log a
// call). Each code's option carries its category (data-category); the code list names the
// field it follows (data-narrowed-by). With no category chosen, every code is offered. The
// server refuses a mismatch anyway: this only spares the agent picking a code that cannot fit.
(() => {
  const narrow = (codes) => {
    const category = codes.form && codes.form.elements.namedItem(codes.dataset.narrowedBy);
    if (!category) return;
    const chosen = category.value;
    for (const option of codes.options) {
      if (!option.value) continue;
      const fits = !chosen || option.dataset.category === chosen;
      option.hidden = !fits;
      option.disabled = !fits;
    }
    const current = codes.selectedOptions[0];
    if (current && current.disabled) codes.value = "";
  };

  const narrowAll = (root) => {
    for (const codes of root.querySelectorAll("select[data-narrowed-by]")) narrow(codes);
  };

  // Capture phase: the list is narrowed (and a code that no longer fits cleared) before the
  // form's own change handlers (the triage preview) read the form.
  document.addEventListener(
    "change",
    (event) => {
      const field = event.target;
      if (!field.form || !field.name) return;
      for (const codes of field.form.querySelectorAll(`select[data-narrowed-by="${field.name}"]`)) {
        narrow(codes);
      }
    },
    true,
  );
  document.addEventListener("DOMContentLoaded", () => narrowAll(document));
  document.addEventListener("htmx:load", (event) => narrowAll(event.target));
})();
