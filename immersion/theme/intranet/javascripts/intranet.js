/* immersion intranet: small repairs to the theme's own markup, nothing else.
   mkdocs-material's search box is a role="dialog" without a name, which screen
   readers announce as an unnamed dialog (axe: aria-dialog-name). Naming it here
   keeps the theme's templates unforked. */
(function () {
  "use strict";
  function repair() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", repair);
  else repair();
})();
