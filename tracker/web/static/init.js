// The NHS.UK frontend components (the error summary takes focus after a refused form, and
// so on): the pages work without this; it only improves them.
import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("nhsuk-frontend-supported");
initAll();
