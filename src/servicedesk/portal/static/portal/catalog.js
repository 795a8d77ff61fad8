// A request type's form: a question shown "when another field has a value" hides otherwise.
// Without JavaScript every question shows; the server ignores those whose condition fails.
(() => {
  "use strict";

  function valuesOf(form, name) {
    return Array.from(form.elements)
      .filter((element) => element.name === name)
      .filter((element) => !["radio", "checkbox"].includes(element.type) || element.checked)
      .map((element) => element.value.trim().toLowerCase());
  }

  function update(form) {
    for (const question of form.querySelectorAll("[data-shown-when]")) {
      const wanted = question.dataset.shownValue.trim().toLowerCase();
      const shown = valuesOf(form, question.dataset.shownWhen).includes(wanted);
      question.hidden = !shown;
    }
  }

  function all() {
    for (const form of document.querySelectorAll("form")) {
      if (form.querySelector("[data-shown-when]")) update(form);
    }
  }

  document.addEventListener("change", all);
  document.addEventListener("input", all);
  document.addEventListener("DOMContentLoaded", all);
})();
