/* immersion serve: reload on rebuild, and show content errors over the page.
 *
 * Injected by the preview server into preview pages only (never into a built
 * site). Listens to /.immersion/events (server-sent events): each message is
 * the preview's state {generation, built, problems}. A generation
 * other than the one this page was served at means the site changed: reload.
 * Problems show in an overlay that names the file, the line and the fix; the
 * last good page stays underneath, and the overlay goes when they are fixed.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var served = script ? Number(script.getAttribute("data-generation")) : NaN;
  var overlay = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text; // content is text, never markup
    return node;
  }

  function style() {
    if (document.getElementById("immersion-preview-style")) return;
    var css = el("style");
    css.id = "immersion-preview-style";
    css.textContent = [
      "#immersion-problems{position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;",
      "z-index:2147483647;background:#fff8f6;color:#3b0d0c;border-top:4px solid #b3261e;",
      "font:15px/1.45 system-ui,sans-serif;box-shadow:0 -6px 24px rgba(0,0,0,.25);padding:12px 20px}",
      "#immersion-problems h2{font-size:17px;margin:0 0 6px}",
      "#immersion-problems p{margin:0 0 8px}",
      "#immersion-problems ol{margin:0;padding-left:20px}",
      "#immersion-problems li{margin:6px 0}",
      "#immersion-problems code{font:13px ui-monospace,monospace;background:#fde7e3;padding:1px 4px}",
      "#immersion-problems .ip-fix{display:block;color:#5c2b29}",
      "#immersion-problems .ip-warning code{background:#fff1cc}",
      "#immersion-problems button{float:right;font:inherit;min-height:32px}",
      "#immersion-problems.ip-minor{left:auto;max-width:min(40rem,90vw);border:2px solid #8a6d00;",
      "background:#fffbea;color:#2b2100;border-radius:8px 0 0 0}",
      "#immersion-problems.ip-minor.ip-folded ol,#immersion-problems.ip-minor.ip-folded p{display:none}",
      "#immersion-problems.ip-minor h2{display:inline;font-size:15px;margin-right:12px}",
    ].join("");
    document.head.appendChild(css);
  }

  function show(state) {
    var problems = state.problems || [];
    if (!problems.length) {
      if (overlay) overlay.remove();
      overlay = null;
      return;
    }
    style();
    if (!overlay) {
      overlay = el("section");
      overlay.id = "immersion-problems";
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("aria-label", "Content problems");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    // Errors cover the page's foot; warnings alone are a small folded note.
    var minor = !errors;
    var folded = minor && (!overlay.classList.contains("ip-minor") || overlay.classList.contains("ip-folded"));
    overlay.classList.toggle("ip-minor", minor);
    overlay.classList.toggle("ip-folded", folded);
    var close = el("button", "", minor ? (folded ? "Show" : "Fold") : "Hide");
    close.type = "button";
    close.addEventListener("click", function () {
      if (!overlay.classList.contains("ip-minor")) {
        overlay.hidden = true;
        return;
      }
      var fold = !overlay.classList.contains("ip-folded");
      overlay.classList.toggle("ip-folded", fold);
      close.textContent = fold ? "Show" : "Fold";
    });
    overlay.appendChild(close);
    overlay.appendChild(
      el("h2", "", errors ? errors + (errors === 1 ? " problem" : " problems") + " to fix"
        : problems.length + (problems.length === 1 ? " warning" : " warnings"))
    );
    if (!state.built) {
      overlay.appendChild(el("p", "", "The preview still shows the last version that built. Fix the file and save: it updates by itself."));
    }
    var list = el("ol");
    problems.forEach(function (p) {
      var item = el("li", "ip-" + p.severity);
      item.appendChild(el("code", "ip-where", p.path + (p.line ? ":" + p.line : "")));
      item.appendChild(document.createTextNode(" " + p.message));
      if (p.hint) item.appendChild(el("span", "ip-fix", "Fix: " + p.hint));
      list.appendChild(item);
    });
    overlay.appendChild(list);
    overlay.hidden = false;
  }

  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource("/.immersion/events");
    source.addEventListener("state", function (event) {
      var state;
      try { state = JSON.parse(event.data); } catch (e) { return; }
      if (state.generation !== served) {
        source.close();
        window.location.reload();
        return;
      }
      show(state);
    });
    // EventSource reconnects by itself when the server restarts.
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
