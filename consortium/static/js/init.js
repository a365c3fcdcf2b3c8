// Start every GOV.UK Frontend component on the page, and on whatever htmx swaps in later
// (an error summary or a "saved" banner then takes focus, as on a full page).
import { initAll } from "../govuk/govuk-frontend.min.js";
initAll();
document.addEventListener("htmx:load", (event) => {
  const element = event.detail && event.detail.elt;
  if (element && element !== document.body) {
    initAll({ scope: element });
  }
});
