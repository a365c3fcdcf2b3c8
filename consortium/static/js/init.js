// Start every GOV.UK Frontend component on the page.
import { initAll } from "../govuk/govuk-frontend.min.js";
initAll();
