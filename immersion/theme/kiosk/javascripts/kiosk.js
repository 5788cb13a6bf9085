/* immersion kiosk runtime: runs a display by itself, offline, all day (contract: docs/kiosk.md).
   Nothing may reach the console: callbacks are wrapped, errors swallowed, the loop goes on. */
(() => {
  "use strict";
  const W = window, D = document, H = D.documentElement, SW = navigator.serviceWorker;
  const safe = (f) => (...a) => { try { return f(...a); } catch { return undefined; } };
  const on = (t, e, f, o) => t.addEventListener(e, safe(f), o);
  const later = (f, ms) => setTimeout(safe(f), ms);
  const qa = (s, r = D) => Array.from(r.querySelectorAll(s));
  const now = () => Date.now();
  const SIZES = [100, 125, 150, 175], KEY = "ik-text-size";
  let C = {};
  try { C = JSON.parse(D.getElementById("ik-config").textContent) || {}; } catch { /* defaults */ }
  const pos = (v, d) => (v > 0 && v < 1e9 ? v : d) * 1000;
  const SLIDE = pos(C.slide_seconds, 12), IDLE = pos(C.idle_seconds, 90), COUNT = pos(C.countdown_seconds, 10);
  const ENTRY = typeof C.entry === "string" ? C.entry : "./";
  let root, item, slides = [], lens = [], stage, quiet, dots, shown = -1, sig, slotT, idleShown = false, ov, reg, down, fmt;
  let last = now(), deadline = 0, engaged = false, closed = false, size = 0, minute, away = false, checked = 0;
  let visit = NaN, capT, synthetic = false; // when the current slide's turn began (ms); our own key presses

  // Locked in: errors stay quiet; no context menu, selection, drag or zoom.
  on(W, "error", (e) => (e.target && e.target.nodeType === 1 ? failed(e.target) : e.preventDefault()), true);
  on(W, "unhandledrejection", (e) => e.preventDefault());
  for (const t of ["contextmenu", "selectstart", "dragstart", "gesturestart", "dblclick"]) on(W, t, (e) => e.preventDefault(), true);
  on(W, "wheel", (e) => (e.ctrlKey || e.metaKey) && e.preventDefault(), { capture: true, passive: false });
  on(W, "keydown", (e) => (e.ctrlKey || e.metaKey) && /^[-+=_0]$/.test(e.key) && e.preventDefault(), true);

  // A slide whose image or clip fails is skipped (a <source> only if it was the last one).
  const failed = (t) => {
    const n = t.nextElementSibling, s = t.closest(".ik-slide");
    if (!/^(IMG|AUDIO|VIDEO|SOURCE)$/.test(t.tagName) || (t.tagName === "SOURCE" && n && n.tagName === "SOURCE")) return;
    if (!s) return t.tagName === "IMG" && t.classList.add("ik-missing"); // no broken-image icon
    s.classList.add("ik-broken");
    later(evaluate, 0);
  };
  const seen = new WeakSet();
  const scan = () => { // images that failed before this script ran
    for (const i of qa(".ik-slide img", root))
      if (!seen.has(i) && i.complete && i.getAttribute("src") && !i.naturalWidth) { seen.add(i); i.decode().catch(() => failed(i)); }
  };

  // ---- validity: a slide or item page past its valid_until (consent ended) is never shown.
  // Fail closed: a clock that reads earlier than the build (a dead RTC battery) counts as the
  // build's instant, so it can never make expired content valid again.
  // It also remembers the latest time it has read (localStorage): a clock reset after a
  // consent ended must not bring that content back either.
  const BUILT = Date.parse(C.built) || 0, SEEN = "ik-clock-seen";
  let seenClock = 0;
  try { seenClock = +localStorage.getItem(SEEN) || 0; } catch { /* no storage */ }
  const validNow = () => {
    const t = now();
    if (t > seenClock + 1000) { seenClock = t; try { localStorage.setItem(SEEN, String(t)); } catch { /* no storage */ } }
    return Math.max(t, BUILT, seenClock);
  };
  const untilOf = (v) => { const t = v ? Date.parse(v) : NaN; return Number.isFinite(t) ? t : Infinity; };
  let ends = []; // each slide's end (ms), Infinity: none
  const slideEnds = () => slides.map((s, i) => untilOf(s.dataset.ikValidUntil || (Array.isArray(C.valid_until) ? C.valid_until[i] : "")));
  const expired = (i) => validNow() >= ends[i];
  const pageExpired = () => validNow() >= untilOf(root.dataset.ikValidUntil || (typeof C.valid_until === "string" ? C.valid_until : ""));
  const nextEnd = () => ends.reduce((m, e) => (e > validNow() && e < m ? e : m), Infinity); // ms of the next slide to go
  const leaveExpiredPage = () => item && pageExpired() && (go(ENTRY), true);

  // ---- the attract loop: a cycle of slide lengths fixed at build time, walked from the
  // wall clock (t mod the cycle), so displays showing the same slides agree without talking
  const broken = (s) => s.classList.contains("ik-broken");
  const length = (s, i) => { // ms: the slide's data-ik-seconds, else ik-config's cycle, else slide_seconds
    const c = Array.isArray(C.cycle) ? C.cycle[i] : 0;
    for (const v of [+s.dataset.ikSeconds, +c]) if (v > 0 && v < 1e6) return Math.round(v * 1000);
    return SLIDE;
  };
  const at = (t) => { // the slide of the healthy cycle at t, and when its turn starts and ends
    const h = [];
    let total = 0;
    slides.forEach((s, i) => { if (!broken(s) && !expired(i)) { h.push(i); total += lens[i]; } }); // the cycle of what is left
    if (!total) return { i: -1, start: t, end: t + SLIDE };
    const r = ((t % total) + total) % total;
    let start = t - r; // where this round of the cycle began
    for (const i of h) { if (t < start + lens[i]) return { i, start, end: start + lens[i] }; start += lens[i]; }
    return { i: h[0], start: t, end: t + lens[h[0]] }; // not reached: r < total
  };
  const slot = (t) => at(t).i;
  const hm = (v) => { const m = /^(\d\d?):(\d\d)$/.exec(v); return m ? m[1] * 60 + +m[2] : NaN; };
  const isClosed = (t) => { // outside [open, close) in the room's time zone; close may be past midnight
    const h = C.opening_hours || {}, o = hm(h.open), c = hm(h.close), p = {};
    if (!(o >= 0 && c >= 0) || o === c) return false;
    const opt = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (!fmt) try { fmt = new Intl.DateTimeFormat("en-GB", { ...opt, timeZone: C.timezone }); } catch { fmt = new Intl.DateTimeFormat("en-GB", opt); }
    for (const x of fmt.formatToParts(new Date(t))) p[x.type] = +x.value;
    const m = (p.hour % 24) * 60 + p.minute;
    return o < c ? m < o || m >= c : m < o && m >= c;
  };
  const key = (fe, k) => { synthetic = true; try { fe.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true })); } finally { synthetic = false; } };
  // A slide's photo film runs whole, silent, from its first frame when its turn begins (or,
  // on a page opened during the turn, from the frame the slide clock is at): returns
  // false until players.js has set the film up.
  const film = (fe, go, ms) => {
    const a = fe.dataset.for && D.getElementById(fe.dataset.for), b = fe.querySelector(".im-film-controls .im-play");
    fe.dataset.ikAuto = 1;
    if (a instanceof HTMLMediaElement) { // a narrated film: its narration is the clock, muted unless audio
      a.dataset.ikAuto = 1;
      if (!go) { a.autoplay = false; a.pause(); } else if (!a.autoplay) { a.muted = C.audio !== true; a.autoplay = true; a.load(); }
      return true;
    }
    if (!b) return false;
    if (!go) { if (fe.classList.contains("im-playing")) b.click(); return true; }
    if (fe.classList.contains("im-playing")) b.click(); // pause, then go to the frame
    key(fe, "Home");
    const k = qa(".im-film-frame", fe).filter((f) => +f.dataset.start * 1000 <= ms - 1000).length - 1;
    for (let j = 0; j < k; j++) key(fe, "ArrowRight");
    b.click();
    return true;
  };
  const films = (s, go) => { // start each film of the current slide once per turn
    for (const fe of qa(".im-film", s)) {
      if (!go) { film(fe, false); delete fe.dataset.ikOn; } else if (!fe.dataset.ikOn && film(fe, true, now() - visit)) fe.dataset.ikOn = 1;
    }
  };
  // A slide's video (video.ik-video, docs/kiosk.md "Video slides") plays its span once per
  // turn, muted unless the display plays sound, from the second the slide clock is at (a page
  // opened mid-turn stays in step). The browser's autoplay policy decides: the runtime sets
  // `autoplay` and loads the source, never a scripted play(). Captions: its track, shown.
  const video = (v, go, ms) => {
    if (!go) { v.autoplay = false; v.pause(); return; }
    const from = +v.dataset.ikFrom || 0, to = +v.dataset.ikTo || 0, at = ms > 1000 ? from + ms / 1000 : from;
    const src = v.querySelector("source");
    if (src && to > 0) src.src = src.src.replace(/#.*$/, "") + `#t=${Math.min(at, to).toFixed(3)},${to.toFixed(3)}`;
    const s = v.closest(".ik-slide");
    if (s && !v.dataset.ikWired) { // "Now playing" (a display with sound) shows while it plays
      v.dataset.ikWired = 1;
      on(v, "playing", () => s.classList.add("ik-playing"));
      for (const e of ["pause", "ended", "emptied"]) on(v, e, () => s.classList.remove("ik-playing"));
    }
    v.muted = C.audio !== true;
    v.autoplay = true;
    v.preload = "auto";
    v.load();
    // A seek to where the span starts, once its metadata is in (never a play()): the media
    // fragment alone leaves the captions' first cue of the recording on screen in Chromium.
    on(v, "loadedmetadata", () => { try { v.currentTime = Math.min(at, to || at); } catch { /* */ } }, { once: true });
    for (const t of Array.from(v.textTracks || [])) if (t.kind === "captions") t.mode = "showing";
  };
  const videos = (s, go) => { // start each video of the current slide once per turn
    for (const v of qa("video.ik-video", s)) {
      if (!go) { video(v, false); delete v.dataset.ikOn; } else if (!v.dataset.ikOn) { video(v, true, now() - visit); v.dataset.ikOn = 1; }
    }
  };
  // The first worker takes over the page while it runs (clients.claim): Chromium fails a
  // video whose first bytes came from the network and the next from the worker, so the
  // current slide's video starts again, from the slide clock, wholly through the worker.
  const videosTakenOver = () => { const s = slides[shown]; if (s) { videos(s, false); videos(s, true); } };
  // Item pages of a display without `audio: true` play their videos muted: the visitor
  // reads the captions (the players have no volume control to undo it).
  const quietVideos = () => {
    if (C.audio === true) return;
    for (const v of qa("video", root)) {
      v.muted = true;
      on(v, "volumechange", () => { if (!v.muted) v.muted = true; });
    }
  };
  const clips = (r) => { for (const a of qa("audio.ik-clip", r)) { a.pause(); a.remove(); } for (const s of [r, ...qa(".ik-playing", r)]) s.classList.remove("ik-playing"); };
  // Captions follow the clip's own clock while it plays, else the slide clock (a silent display).
  const captions = () => {
    const s = slides[shown], box = s && s.querySelector(".ik-captions");
    clearTimeout(capT);
    if (!box) return;
    const a = s.querySelector("audio.ik-clip"), heard = a && (!a.paused || a.currentTime > 0);
    const t = heard ? a.currentTime : (now() - visit) / 1000;
    const cues = qa("li", box), k = cues.filter((c) => +c.dataset.start <= t + 0.05).length - 1;
    cues.forEach((c, j) => { c.classList.toggle("ik-cue-current", j === k); c.classList.toggle("ik-cue-past", j < k); });
    capT = later(captions, 200);
  };
  const enter = (s) => { // the browser's autoplay policy decides: never a scripted play()
    if (C.audio !== true || !s.dataset.ikClip) return;
    const a = D.createElement("audio"), d = s.dataset;
    a.className = "ik-clip"; a.autoplay = true; a.preload = "auto"; a.dataset.ikAuto = 1;
    for (const [u, t] of [[d.ikClip, d.ikClipType], [d.ikClipFallback]]) // the clip, then its fallback
      if (u) { const x = D.createElement("source"); x.src = u; if (t) x.type = t; a.append(x); }
    on(a, "playing", () => s.classList.add("ik-playing")); // "Now playing" shows while it plays
    for (const e of ["pause", "ended", "emptied"]) on(a, e, () => s.classList.remove("ik-playing"));
    s.append(a);
  };
  const evaluate = () => {
    if (item || !root) return;
    const t = now(), cur = slides[shown], a = at(t);
    closed = isClosed(t);
    const hold = engaged && cur && !broken(cur) && !expired(shown); // a visitor is here: the slide stays
    const want = closed ? -1 : hold ? shown : a.i, turn = closed ? NaN : hold ? visit : a.start;
    // A new turn (also the same slide again, round a one-slide loop) starts its clip and film again.
    if (want !== shown || !Object.is(turn, visit)) {
      if (cur) { clips(cur); films(cur, false); videos(cur, false); }
      shown = want;
      visit = turn;
      if (slides[want]) enter(slides[want]);
      announce("ik-turn", { i: want }); // room.js: proof of play, the stall watchdog
    }
    const s = [want, closed, ...slides.map((x, i) => broken(x) || expired(i))].join();
    if (s !== sig) { // write the DOM only when something changed
      // The first slide appears at once, not by a fade from black: it is the page's
      // first paint (LCP), and a display must never start dark.
      if (!sig) { root.classList.add("ik-first"); requestAnimationFrame(() => requestAnimationFrame(() => root.classList.remove("ik-first"))); }
      sig = s;
      root.classList.toggle("ik-closed", closed);
      root.classList.toggle("ik-empty", !closed && want < 0);
      if (quiet) quiet.hidden = want >= 0;
      if (stage) stage.hidden = want < 0;
      slides.forEach((x, i) => {
        x.classList.toggle("ik-current", i === want);
        x.setAttribute("aria-hidden", i !== want);
        x.inert = i !== want;
        if (dots && dots.children[i]) dots.children[i].className = "ik-dot" + (i === want ? " ik-dot-current" : broken(x) ? " ik-dot-broken" : "");
      });
    }
    if (slides[want]) { films(slides[want], true); videos(slides[want], true); }
    captions();
    clearTimeout(slotT);
    slotT = later(evaluate, Math.max(20, Math.min(a.end - t, nextEnd() - validNow()) + 15)); // just past the next boundary or end
  };

  // ---- idle: a countdown, then back to the loop; never under a visitor's recording or film
  const playing = () => qa("audio,video").some((m) => !m.paused && !m.ended && !m.dataset.ikAuto) ||
    qa(".im-film.im-playing").some((f) => !f.dataset.ikAuto);
  const activity = (e) => {
    if (synthetic) return; // the runtime's own key presses (a film's frame) are no visitor
    last = now();
    if (e && e.type !== "scroll") engaged = true; // a visitor: the loop holds the slide
    if (idleShown) close();
  };
  const open = () => {
    if (!ov) {
      ov = D.createElement("div");
      ov.className = "ik-idle";
      for (const k of ["role=alertdialog", "aria-modal=true", "aria-labelledby=ik-idle-title", "aria-describedby=ik-idle-text"]) ov.setAttribute(...k.split("="));
      ov.innerHTML = '<div class="ik-idle-box"><h2 id="ik-idle-title">Still there?</h2><p id="ik-idle-text">Touch the screen ' +
        'to keep exploring</p><p class="ik-countdown" role="timer"></p><button type="button" class="ik-stay">I\'m still here</button></div>';
      on(ov.querySelector("button"), "click", () => activity());
      D.body.append(ov);
    }
    idleShown = true;
    deadline = now() + COUNT;
    ov.hidden = false;
    root.inert = true;
    tick();
    ov.querySelector("button").focus({ preventScroll: true });
  };
  const close = () => { idleShown = false; if (ov) ov.hidden = true; root.inert = false; };
  const tick = () => {
    if (!idleShown) return;
    const left = Math.ceil((deadline - now()) / 1000);
    if (left > 0) ov.querySelector(".ik-countdown").textContent = left;
    else reset();
  };
  const idle = () => {
    if (idleShown || away) return;
    if (playing()) return void (last = now()); // idle counts from when it stops
    if (now() - last < IDLE) return;
    if (item || (engaged && !closed)) return open();
    last = now(); // nobody here: nothing to reset, but a waiting update switches now
    update(() => location.reload());
  };
  const go = (href) => {
    if (away || !href) return;
    away = true;
    later(() => (away = false), 10000); // a navigation that never happens must not stop the loop
    location.href = new URL(href, location.href).href;
  };
  const update = (then) => { // the only moment a display switches to a new build
    const w = reg && reg.waiting;
    if (!w || !SW.controller) return false;
    let done = false;
    const fin = () => { if (!done) { done = true; away = false; then(); } };
    away = true;
    on(SW, "controllerchange", fin, { once: true });
    later(fin, 5000);
    w.postMessage("activate-update");
    return true;
  };
  const reset = () => {
    announce("ik-idle-reset", { item: !!item }); // room.js: proof of play
    close();
    for (const m of qa("audio,video")) m.pause();
    for (const f of qa(".im-film.im-playing")) if (!f.dataset.ikAuto) film(f, false, 0);
    try { sessionStorage.removeItem(KEY); } catch { /* no storage */ }
    textSize(0);
    last = now();
    engaged = false;
    if (D.activeElement && D.activeElement.blur) D.activeElement.blur();
    if (update(item ? () => go(ENTRY) : () => location.reload())) return;
    if (item) return go(ENTRY);
    clips(root);
    for (const x of slides) videos(x, false); // the turn's video starts again below
    W.scrollTo(0, 0);
    for (const e of qa("*", root)) e.scrollTop = 0;
    evaluate();
  };

  // ---- the room's reports (room.js) hear of each new turn and idle reset as they happen
  const announce = (name, detail) => W.dispatchEvent(new CustomEvent(name, { detail }));

  // ---- text size for the visit, instead of zoom
  const textSize = (k, keep) => {
    size = Math.min(Math.max(k, 0), SIZES.length - 1);
    H.style.setProperty("--ik-scale", SIZES[size] / 100);
    if (keep) try { sessionStorage.setItem(KEY, SIZES[size]); } catch { /* no storage */ }
  };

  const beat = () => {
    const t = now(), m = Math.floor(t / 60000);
    if (leaveExpiredPage()) return;
    if (!item) { scan(); evaluate(); }
    idle();
    tick();
    if (m !== minute) { // burn-in: a slow Lissajous within ±4 px (none under reduced motion)
      const still = W.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches;
      minute = m;
      root.style.setProperty("--ik-dx", (still ? 0 : 4 * Math.sin(m * 0.571)).toFixed(1) + "px");
      root.style.setProperty("--ik-dy", (still ? 0 : 4 * Math.sin(m * 0.897)).toFixed(1) + "px");
    }
    if (reg && t - checked > 9e5) { checked = t; reg.update().catch(() => {}); }
  };

  const start = () => {
    root = D.getElementById("ik-display") || D.querySelector("[data-ik-display],[data-ik-item-page]");
    if (!root) return;
    engaged = item = root.hasAttribute("data-ik-item-page");
    H.classList.add("ik-js", item ? "ik-item-page" : "ik-entry-page");
    const r = C.resolution;
    if (Array.isArray(r)) { root.style.setProperty("--ik-w", r[0] + "px"); root.style.setProperty("--ik-h", r[1] + "px"); }
    if (!/ik-(land|port)/.test(root.className)) root.classList.add(C.orientation === "portrait" ? "ik-portrait" : "ik-landscape");
    [stage, quiet, dots] = [".ik-stage", ".ik-quiet", ".ik-dots"].map((s) => root.querySelector(s));
    slides = item ? [] : qa(".ik-slide", root);
    lens = slides.map(length);
    ends = slideEnds();
    if (dots) dots.innerHTML = '<span class="ik-dot"></span>'.repeat(slides.length);
    for (const t of ["pointerdown", "keydown", "wheel", "touchstart", "scroll"]) on(W, t, activity, { capture: true, passive: true });
    on(W, "pause", (e) => e.target.dataset.ikAuto || (last = now()), true); // a visitor's recording stopped
    on(root, "pointerdown", (e) => { const s = e.isPrimary && e.target.closest(".ik-slide"); down = s && [s, e.clientX, e.clientY]; });
    on(root, "pointerup", (e) => { // a tap, not a swipe, opens the slide's item (links and buttons act natively)
      const [s, x, y] = down || [];
      down = null;
      if (s && e.target.closest(".ik-slide") === s && Math.hypot(e.clientX - x, e.clientY - y) <= 10 &&
        !e.target.closest("a[href],button,input,[role=slider]")) go(s.dataset.ikHref);
    });
    on(root, "pointercancel", () => (down = null));
    on(D, "keydown", (e) => e.key === " " && e.target.matches("a.ik-open") && (e.preventDefault(), go(e.target.getAttribute("href"))));
    on(D, "click", (e) => { // no link leaves the kiosk build
      const a = e.target.closest && e.target.closest("a[href]");
      if (a && (new URL(a.href, location.href).origin !== location.origin || a.hasAttribute("download"))) e.preventDefault();
      else if (a) a.removeAttribute("target");
    }, true);
    on(D, "visibilitychange", beat);
    for (const g of qa(".ik-textsize")) { // A− then A+
      if (!g.querySelector("button")) g.innerHTML = '<button type="button" aria-label="Smaller text">A−</button>' +
        '<button type="button" aria-label="Larger text">A+</button>';
      qa("button", g).forEach((b, i) => on(b, "click", () => textSize(size + (i ? 1 : -1), true)));
    }
    let v;
    try { v = +sessionStorage.getItem(KEY); } catch { /* no storage */ }
    textSize(Math.max(0, SIZES.indexOf(v)));
    if (item) quietVideos();
    beat();
    setInterval(safe(beat), 1000);
    if (SW && typeof C.entry === "string") {
      const base = new URL(ENTRY, location.href);
      on(SW, "controllerchange", videosTakenOver);
      SW.register(new URL("sw.js", base).href, { scope: base.href }).then((x) => { reg = x; checked = now(); }, () => {});
    }
  };

  W.immersionKiosk = {
    version: "1",
    slot: (t) => slot(t == null ? now() : +t),
    turn: (t) => at(t == null ? now() : +t), // {i, start, end}: the slide at t and its turn (ms)
    cycle: () => slides.flatMap((s, i) => (broken(s) || expired(i) ? [] : [lens[i] / 1000])),
    current: () => shown,
    resetIdle: safe(() => activity()),
    reset: safe(reset),
    state: () => ({ slide: shown, idleShown, closed, engaged, textSize: SIZES[size], broken: slides.flatMap((s, i) => (broken(s) ? [i] : [])), expired: slides.flatMap((s, i) => (expired(i) ? [i] : [])) }),
  };
  if (D.readyState === "loading") on(D, "DOMContentLoaded", start);
  else safe(start)();
})();
