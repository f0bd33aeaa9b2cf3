import { initAll } from "./govuk-frontend.min.js";

initAll();

// A "copy" button for a read-only field (the calendar feed address). Added here, so a browser without
// JavaScript shows no button that does nothing: the address can still be selected and copied by hand.
function initCopyButtons() {
  for (const holder of document.querySelectorAll('[data-module="app-copy"]')) {
    const field = document.getElementById(holder.dataset.copyTarget);
    if (!field) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-top-2 govuk-!-margin-bottom-0";
    button.textContent = holder.dataset.copyLabel || "Copy";
    const status = document.createElement("p");
    status.className = "govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-0";
    status.setAttribute("role", "status");
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = "Address copied.";
      } catch {
        // No clipboard access (an old browser, or permission refused): the address is selected instead.
        field.focus();
        field.select();
        status.textContent = "Address selected: press Ctrl+C (or Cmd+C on a Mac) to copy it.";
      }
    });
    holder.append(button, status);
  }
}

initCopyButtons();
