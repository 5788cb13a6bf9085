/* immersion kiosk: the room's reports to the server that serves the display (contract:
   docs/kiosk.md "Reports"). A heartbeat a minute, carried by the minute's first batch
   when there is one; proof of play (each slide shown, each item opened, each recording
   started, each idle reset) kept in IndexedDB first and sent in batches whenever the
   server answers, never lost offline (bounded: the oldest go first, and a `dropped`
   event counts them); a watchdog that reloads a display that stopped advancing. Nothing
   here identifies a visitor: an event says what was shown or touched, never by whom.
   Only `immersion kiosk` announces itself (<meta name="immersion-room">): under any
   other server this script does nothing. */
(() => {
  "use strict";
  const W = window, D = document;
  const safe = (f) => (...a) => { try { return f(...a); } catch { return undefined; } };
  const now = () => Date.now();
  const meta = D.querySelector('meta[name="immersion-room"]');
  let C = {};
  try { C = JSON.parse(D.getElementById("ik-config").textContent) || {}; } catch { /* none */ }
  if (!meta || typeof C.display !== "string" || !W.indexedDB) return;

  const ROOM = new URL(meta.content || "/_room/", location.href);
  const BEAT_MS = 60000, BATCH = 500, STALL_TURNS = 2, ERROR_LOOP = 20, RELOAD_GAP = 300000;
  const R = { cap: 50000, sent: 0, beats: 0, reloads: 0 }; // window.immersionRoom, for tests
  const LIVE = `ik-room-live ${C.display}`, DROPPED = `ik-room-dropped ${C.display}`;
  const RELOADED = `ik-room-reloaded ${C.display}`;
  let root, stage, lastError = null, lastBeat = -Infinity, sending = false, retryAt = 0;
  let showing = null, opened = null, changed = now(), onScreen = null, errors = [];
  const listens = new Map(); // a visitor's recording (element) -> its live event

  // ---- events: a random id (crypto, no visitor in it), the item and its valid_until
  const iso = (t) => new Date(t).toISOString();
  const eventId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const itemOf = (el) => (el && el.dataset.ikItem) || null;
  const untilOf = (el) => (el && el.dataset.ikValidUntil) || null;
  const event = (kind, el, extra) => ({
    id: eventId(), kind, item: itemOf(el), started_at: iso(now()), valid_until: untilOf(el),
    build: typeof C.build === "string" && C.build ? C.build : null, ...extra,
  });

  // ---- the store: IndexedDB, oldest first; at most R.cap events, then the oldest go
  let opening = null;
  const database = () => (opening = opening || new Promise((ok, fail) => {
    const rq = indexedDB.open("immersion-room", 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore("events", { keyPath: "seq", autoIncrement: true });
    rq.onsuccess = () => ok(rq.result);
    rq.onerror = () => { opening = null; fail(rq.error); };
  }));
  const request = (rq) => new Promise((ok, fail) => { rq.onsuccess = () => ok(rq.result); rq.onerror = () => fail(rq.error); });
  const events = async (mode) => (await database()).transaction("events", mode).objectStore("events");
  const keep = async (e) => { await request((await events("readwrite")).add(e)); await trim(); };
  const trim = async () => { // past the cap the oldest go, and the dropped count grows
    const store = await events("readwrite"), over = (await request(store.count())) - R.cap;
    // While a batch is on its way its events are the oldest: trimmed, they would count as
    // dropped and arrive all the same. So the store waits (within a batch past its cap),
    // and is trimmed once the send is over.
    if (over <= 0 || (sending && over <= BATCH)) return;
    const first = await request(store.openKeyCursor());
    if (!first) return;
    await request(store.delete(IDBKeyRange.bound(first.key, first.key + over - 1)));
    countDropped(over);
  };
  const dropped = () => { try { return JSON.parse(localStorage.getItem(DROPPED)) || null; } catch { return null; } };
  const countDropped = (n) => {
    const d = dropped() || { id: eventId(), kind: "dropped", started_at: iso(now()), count: 0 };
    d.count += n;
    try { localStorage.setItem(DROPPED, JSON.stringify(d)); } catch { /* no storage */ }
  };
  const settleDropped = (d) => { // the server has `d`: what was dropped since is a new event
    const left = (dropped() || { count: 0 }).count - d.count;
    try { localStorage.removeItem(DROPPED); } catch { /* no storage */ }
    if (left > 0) countDropped(left);
  };

  // ---- live events (a slide on screen, an item page open, a recording playing): kept in
  // localStorage every second, so a navigation, a reload or a crash never loses them; the
  // next page of the display stores them (their page has gone, they are over).
  const live = () => [showing, opened, ...listens.values()].filter(Boolean);
  const saveLive = () => { try { localStorage.setItem(LIVE, JSON.stringify(live().map(measure))); } catch { /* no storage */ } };
  const measure = (e) => { // the event as it stands now, as the server takes it
    const { t0, ended, reached, media, src, listen, ...m } = e;
    if (listen) return { ...m, media: src || null, seconds: Math.max(0, reached || 0), completed: !!ended };
    m.seconds = Math.max(0, (now() - t0) / 1000); // a slide's or an open page's time so far
    if (media !== undefined) m.completed = media ? !!ended : null; // a slide: its media to the end
    return m;
  };
  const finish = (e) => { if (e) keep(measure(e)).catch(() => {}); };
  const adoptLeftovers = () => {
    let left = [];
    try { left = JSON.parse(localStorage.getItem(LIVE)) || []; localStorage.removeItem(LIVE); } catch { /* none */ }
    for (const e of Array.isArray(left) ? left : []) keep(e).catch(() => {});
  };

  // ---- proof of play: a slide's showing ends when the next turn begins
  const hasMedia = (s) => !!s.querySelector("audio,video");
  const onTurn = (e) => {
    const s = slides()[e.detail && e.detail.i];
    if (showing) { showing.media = showing.media || hasMedia(showing.slide); finish(showing); }
    showing = null;
    if (s) {
      showing = { ...event("slide", s), t0: now(), media: hasMedia(s) };
      Object.defineProperty(showing, "slide", { value: s }); // not enumerable: never sent
    }
    if (s && s === onScreen) changed = now(); // the screen really moved on (a one-slide loop too)
    saveLive();
  };
  const onEnded = (e) => { // a slide's clip or film played to its end
    const m = e.target;
    if (showing && showing.slide.contains(m)) showing.ended = true;
    const l = listens.get(m);
    if (l) { l.ended = true; l.reached = m.duration || m.currentTime; }
  };
  const onPlay = (e) => { // a visitor started a recording on an item page: how far it gets
    const m = e.target;
    if (!(m instanceof HTMLMediaElement) || m.dataset.ikAuto || !opened) return;
    const l = listens.get(m);
    if (l && !l.ended) return; // a pause and play again: the same listen
    if (l) finish(l);
    const src = new URL(m.currentSrc || m.src || "", location.href).pathname;
    listens.set(m, { ...event("listen", root), listen: true, src, reached: m.currentTime });
  };
  const followListens = () => {
    for (const [m, l] of listens) if (!l.ended) l.reached = Math.max(l.reached || 0, m.currentTime || 0);
  };
  const onIdleReset = () => { keep(event("idle", opened ? root : null)).catch(() => {}); };

  // ---- the heartbeat, and sending the store
  const post = (path, body) => fetch(new URL(path, ROOM), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    cache: "no-store", credentials: "omit",
  });
  const current = () => (opened ? itemOf(root) : showing ? itemOf(showing.slide) : null);
  const beatNow = () => {
    const sw = navigator.serviceWorker;
    return {
      display: C.display, build: typeof C.build === "string" && C.build ? C.build : null,
      slide: current(), last_error: lastError, offline_capable: !!(sw && sw.controller),
      screen: `${screen.width}x${screen.height}`, sent_at: iso(now()),
    };
  };
  const beatAlone = async (beat) => { if ((await post("heartbeat", beat)).ok) R.beats++; };
  // A minute's heartbeat rides with the store's first batch: one request a minute, not two.
  // Alone when there is nothing to send, or while a send is under way or waits to retry.
  const heartbeat = async () => {
    lastBeat = now();
    const beat = beatNow();
    if (sending || now() < retryAt) return beatAlone(beat);
    return send(beat);
  };
  const send = async (beat) => { // batch after batch, oldest first, until the store is empty
    if (sending || now() < retryAt) return;
    sending = true;
    try {
      for (;;) {
        const batch = await request((await events("readonly")).getAll(null, BATCH));
        const d = dropped(), list = batch.map(({ seq, ...e }) => e);
        if (d && list.length < BATCH) list.push(d);
        if (!list.length) { if (beat) await beatAlone(beat); return; }
        const body = { display: C.display, events: list };
        let r = await post("events", beat ? { ...body, heartbeat: beat } : body);
        if (beat && r.ok) R.beats++;
        if (beat && !r.ok && r.status !== 429 && r.status < 500) {
          // Refused: the heartbeat must not cost the batch, nor the batch the heartbeat.
          await beatAlone(beat);
          r = await post("events", body);
        }
        beat = null;
        if (r.status === 429 || r.status >= 500) { // busy or down: keep everything, try later
          retryAt = now() + 1000 * Math.min(600, +r.headers.get("Retry-After") || 60);
          return;
        }
        // 200: stored (a replay adds nothing). Refused (4xx): never sendable, counted as dropped.
        if (!r.ok) countDropped(batch.length);
        if (batch.length) await request((await events("readwrite")).delete(IDBKeyRange.bound(batch[0].seq, batch[batch.length - 1].seq)));
        if (d && list.includes(d)) settleDropped(d);
        R.sent += r.ok ? list.length : 0;
      }
    } catch { /* offline: the store keeps them for the next try */ } finally { sending = false; trim().catch(() => {}); }
  };

  // ---- the stall watchdog: a slide on screen for two slide lengths, or a page error loop
  const slides = () => (stage ? Array.from(stage.querySelectorAll(".ik-slide")) : []);
  const lengthOf = (s) => { const v = +s.dataset.ikSeconds; return (v > 0 && v < 1e6 ? v : 12) * 1000; };
  const reload = (why) => {
    let last = 0;
    try { last = +localStorage.getItem(RELOADED) || 0; } catch { /* no storage */ }
    if (Math.abs(now() - last) < RELOAD_GAP) return; // never a reload loop
    try { localStorage.setItem(RELOADED, String(now())); } catch { /* no storage */ }
    lastError = why;
    R.reloads++;
    saveLive();
    location.reload();
  };
  let lastTick = now();
  const watch = () => {
    const k = W.immersionKiosk, state = k && k.state ? k.state() : {};
    if (Math.abs(now() - lastTick) > 5000) changed = now(); // asleep, or the clock moved: look again
    lastTick = now();
    errors = errors.filter((t) => now() - t < 60000);
    if (errors.length >= ERROR_LOOP) return reload("stall: an error loop");
    if (opened || !stage) return;
    const s = stage.querySelector(".ik-slide.ik-current");
    if (s !== onScreen) { onScreen = s; changed = now(); }
    if (!s || state.engaged || state.closed || D.hidden) { changed = now(); return; } // held or closed
    if (now() - changed > STALL_TURNS * lengthOf(s)) reload("stall: no slide change");
  };
  const onError = (e) => {
    if (!(e instanceof ErrorEvent)) return; // a broken image is kiosk.js's business
    lastError = String(e.message || "error").slice(0, 500);
    errors.push(now());
  };

  const tick = () => {
    followListens();
    saveLive();
    watch();
    if (now() - lastBeat >= BEAT_MS || now() < lastBeat) heartbeat().catch(() => {});
  };
  const start = () => {
    root = D.getElementById("ik-display");
    if (!root) return;
    opened = root.hasAttribute("data-ik-item-page") ? { ...event("open", root), t0: now() } : null;
    stage = opened ? null : root.querySelector(".ik-stage");
    adoptLeftovers();
    if (!opened) { const k = W.immersionKiosk, i = k && k.current ? k.current() : -1; if (i >= 0) onTurn({ detail: { i } }); }
    onScreen = stage && stage.querySelector(".ik-slide.ik-current");
    W.addEventListener("ik-turn", safe(onTurn));
    W.addEventListener("ik-idle-reset", safe(onIdleReset));
    W.addEventListener("ended", safe(onEnded), true);
    W.addEventListener("play", safe(onPlay), true);
    W.addEventListener("error", safe(onError), true);
    W.addEventListener("pagehide", safe(() => { followListens(); saveLive(); }));
    W.addEventListener("online", safe(() => { retryAt = 0; send(); }));
    setInterval(safe(tick), 1000);
    later(tick);
  };
  const later = (f) => setTimeout(safe(f), 0);
  W.immersionRoom = Object.assign(R, {
    send: () => send(), heartbeat: () => heartbeat(), busy: () => sending,
    stored: async () => request((await events("readonly")).count()),
  });
  if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", safe(start));
  else safe(start)();
})();
