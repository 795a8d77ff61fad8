// A changed filter (a select) reloads the table at once; the search box does so as one types
// (its own trigger, in the template), so its "change" on leaving it must not reload twice. This
// test lives here rather than in an hx-trigger filter: those are evaluated as strings, which the
// Content-Security-Policy forbids.
document.addEventListener("change", (event) => {
  const filters = event.target.closest("[data-queue-filters]");
  if (!filters || event.target.id === "id_q") return;
  filters.dispatchEvent(new Event("filters-changed"));
});

// Saving a view: the filters may have changed in place (htmx swaps only the table), so the
// hidden query is taken from the filter form as it is now. Without scripts, the page reloads
// on every filter change and the hidden query rendered with it is already current.
document.addEventListener("submit", (event) => {
  const save = event.target.closest("[data-save-view]");
  if (!save) return;
  const filters = document.querySelector("form[role=search]");
  if (!filters) return;
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(filters)) {
    if (typeof value === "string" && value.trim()) params.append(name, value);
  }
  save.elements.query.value = params.toString();
});
