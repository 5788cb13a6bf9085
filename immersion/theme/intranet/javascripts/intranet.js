/* immersion intranet: small repairs to the theme's own markup, nothing else.
   mkdocs-material's search box is a role="dialog" without a name, which screen
   readers announce as an unnamed dialog (axe: aria-dialog-name). Naming it here
   keeps the theme's templates unforked.
   A search result whose page did not match itself (a word said in an interview is
   found in one transcript line, not in the page's opening) is headed by a link to the
   top of the page with an empty `?h=`: that link goes to the best matching section
   instead (the line: the story page seeks the recording there). */
(function () {
  "use strict";
  var EMPTY = /\?h=(#|$)/;
  function retarget(list) {
    var items = list.querySelectorAll(".md-search-result__item");
    for (var i = 0; i < items.length; i++) {
      var links = items[i].querySelectorAll("a.md-search-result__link");
      var head = links[0], best = links[1];
      if (head && best && EMPTY.test(head.getAttribute("href") || "")) head.href = best.href;
    }
  }
  function repair() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
    var list = document.querySelector(".md-search-result__list");
    if (list && window.MutationObserver) {
      new MutationObserver(function () {
        try { retarget(list); } catch (e) { /* the theme's own link stays */ }
      }).observe(list, { childList: true, subtree: true });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", repair);
  else repair();
})();
