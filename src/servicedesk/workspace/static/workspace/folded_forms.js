// The ticket page's folded forms are fetched when their <details> opens (htmx, on "toggle").
// One opened while the page was still loading, before htmx listened, would show "Loading…" for
// ever: once htmx is ready, such a form is asked for as if it had just been opened. A form
// already asked for is not asked again (its trigger fires once).
document.addEventListener("htmx:load", (event) => {
  for (const loader of event.detail.elt.querySelectorAll("details[open] [data-folded-form]")) {
    loader.closest("details").dispatchEvent(new Event("toggle"));
  }
});
