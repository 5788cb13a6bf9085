/* immersion players: enhances the markup of immersion/render/players.py (audio players,
   live transcripts, seek links, #t= deep links, photo films) for intranet and kiosk.
   Without it the native <audio controls> and a list of figures remain; whatever fails
   to enhance keeps that fallback, silently (the kiosk counts console messages). */
(() => {
  "use strict";
  const SPEEDS = [1, 1.25, 1.5, 2, 0.75], CUE = "im-cue-current", CUR = "im-frame-current", OUT = "im-frame-leaving";
  const AS = new WeakMap(), FILMS = new WeakMap(), waves = new Set(), D = document;
  const ICON = {
    play: "M8 5v14l11-7z", pause: "M6 5h4v14H6zm8 0h4v14h-4z",
    prev: "M6 6h2v12H6zm3.5 6 8.5 6V6z", next: "M6 18l8.5-6L6 6v12zM16 6v12h2V6z",
  };
  const svg = (k) => `<svg class="im-i-${k}" viewBox="0 0 24 24" width="24" height="24" ` +
    `aria-hidden="true" focusable="false"><path d="${ICON[k]}"/></svg>`;
  const safe = (f) => (x) => { try { return f(x); } catch { /* keep quiet: the native fallback stays */ } };
  const on = (t, e, f, o) => t.addEventListener(e, safe(f), o);
  const later = (f, ms) => setTimeout(safe(f), ms);
  const set = (e, k, v) => e.setAttribute(k, v);
  const qa = (r, s) => Array.from(r.querySelectorAll(s));
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  const el = (tag, cls) => { const e = D.createElement(tag); e.className = cls; return e; };
  const btn = (cls, label, html) => {
    const b = el("button", "im-btn " + cls);
    b.type = "button"; set(b, "aria-label", label); b.innerHTML = html;
    return b;
  };
  const fmt = (t) => {
    t = Math.max(0, Math.floor(t || 0));
    const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60, p = (n) => (n < 10 ? "0" : "") + n;
    return h ? `${h}:${p(m)}:${p(s)}` : `${m}:${p(s)}`;
  };
  const parseT = (s) => { // "12.5", "1:02.5", "01:00:02" -> seconds, or NaN
    let t = 0;
    for (const p of String(s ?? "").trim().split(":")) {
      if (!/^\d+(\.\d*)?$/.test(p)) return NaN;
      t = t * 60 + parseFloat(p);
    }
    return t;
  };
  const byId = (id) => { const e = id && D.getElementById(id); return e instanceof HTMLMediaElement ? e : null; };
  const dur = (a) => (a.duration > 0 && isFinite(a.duration) ? a.duration : parseFloat(a.dataset.duration) || 0);
  const play = (a) => { try { const p = a.play(); if (p) p.catch(() => {}); } catch { /* fallback */ } };
  const toggle = (a) => (a.paused ? play(a) : a.pause());
  const find = (starts, t) => { // largest i with starts[i] <= t, else -1: O(log n)
    let lo = 0, hi = starts.length - 1, r = -1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (starts[m] <= t) { r = m; lo = m + 1; } else hi = m - 1;
    }
    return r;
  };
  const times = (items) => { // data-start/data-end -> two Float64Arrays, starts kept sorted
    const n = items.length, s = new Float64Array(n), e = new Float64Array(n);
    for (let i = 0, prev = 0; i < n; i++) {
      const v = parseFloat(items[i].dataset.start);
      s[i] = prev = v >= prev ? v : prev;
      e[i] = Math.max(prev, parseFloat(items[i].dataset.end) || 0);
    }
    return [s, e];
  };

  // One record per <audio>: subscribers (bars, transcripts, films) get its time.
  const now = (s) => (s.pend != null ? s.pend : s.a.currentTime);
  const sync = (a) => {
    const s = AS.get(a);
    if (s) try { const t = now(s); for (const f of s.subs) f(t); } catch { /* never to the console */ }
  };
  const state = (a) => {
    let s = AS.get(a);
    if (s) return s;
    AS.set(a, (s = { a, subs: [], trs: [], pend: null }));
    on(a, "loadedmetadata", () => { // a seek asked for before metadata lands now
      if (s.pend != null && Math.abs(a.currentTime - s.pend) > 0.05) try { a.currentTime = s.pend; } catch { /* */ }
      s.pend = null;
    });
    for (const ev of ["timeupdate", "seeked", "play", "pause", "ratechange", "durationchange", "loadedmetadata", "ended"]) on(a, ev, () => sync(a));
    return s;
  };
  const seek = (a, t, andPlay = false) => { // a: an <audio> (or its id)
    if (typeof a === "string") a = byId(a);
    t = Math.max(0, +t);
    if (!(a instanceof HTMLMediaElement) || !isFinite(t)) return;
    const s = state(a), d = dur(a);
    if (d && t > d) t = d;
    if (!a.readyState) {
      s.pend = t;
      if (!andPlay && a.preload === "none") { a.preload = "metadata"; a.load(); }
    }
    try { a.currentTime = t; } catch { /* set on loadedmetadata */ }
    if (andPlay) play(a);
    sync(a);
  };

  // ---- player bar
  const initPlayer = (root) => {
    const a = root.querySelector("audio,video"), s = state(a), clip = root.classList.contains("im-player-clip");
    const bar = el("div", "im-bar"), sk = el("div", "im-seekbar"), track = el("div", "im-track");
    const pl = { a, root, sk, pb: btn("im-play", "Play", svg("play") + svg("pause")),
      fill: el("div", "im-fill"), time: el("span", "im-time"), sec: -1 };
    for (const [k, v] of [["role", "slider"], ["tabindex", 0], ["aria-label", "Seek"], ["aria-valuemin", 0]]) set(sk, k, v);
    track.append(pl.fill);
    sk.append(track);
    bar.append(pl.pb, sk, pl.time);
    on(pl.pb, "click", () => toggle(a));
    if (!clip) {
      bar.append((pl.sp = btn("im-speed", "", "")));
      on(pl.sp, "click", () => {
        a.defaultPlaybackRate = a.playbackRate = SPEEDS[(SPEEDS.indexOf(a.playbackRate) + 1) % SPEEDS.length];
        sync(a); // the label now, not on the async ratechange
      });
    }
    on(sk, "keydown", (e) => {
      const t = now(s), d = dur(a);
      const v = { ArrowLeft: t - 5, ArrowDown: t - 5, ArrowRight: t + 5, ArrowUp: t + 5,
        PageUp: t + 30, PageDown: t - 30, Home: 0, End: d }[e.key];
      if (v === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      seek(a, clamp(v, 0, d || v));
    });
    on(root, "keydown", (e) => {
      if ((e.key === " " || e.key === "Enter") && !e.target.closest("button,a,input")) { e.preventDefault(); toggle(a); }
    });
    let r = null;
    const to = (e) => seek(a, clamp((e.clientX - r.left) / r.width, 0, 1) * dur(a));
    on(sk, "pointerdown", (e) => {
      if (e.button) return;
      r = sk.getBoundingClientRect();
      try { sk.setPointerCapture(e.pointerId); } catch { /* */ }
      to(e);
    });
    on(sk, "pointermove", (e) => r && to(e));
    on(sk, "pointerup", () => (r = null));
    on(sk, "pointercancel", () => (r = null));
    s.subs.push((t) => update(pl, t));
    update(pl, now(s));
    root.append(bar);
    a.controls = false; // only once ours exist
    root.classList.add("im-enhanced");
    // A recording that cannot load must not look playable: give the browser's own
    // controls back (they show the failure) and say so. Source errors do not bubble.
    const fail = safe(() => {
      if (root.classList.contains("im-failed")) return;
      bar.remove();
      a.controls = true;
      root.classList.replace("im-enhanced", "im-failed");
      const note = el("p", "im-error");
      note.textContent = "This recording cannot be played here.";
      root.append(note);
    });
    on(a, "error", fail);
    const last = [...a.querySelectorAll("source")].pop();
    if (last) on(last, "error", fail);
    // Sources that failed before this script ran left no event to hear: NETWORK_NO_SOURCE
    // is also a passing state while loading starts, so look again a moment later.
    if (a.error) fail();
    else setTimeout(() => { if (a.networkState === 3 && !a.readyState) fail(); }, 1500);
    // A clip may carry its recording's peaks and the seconds it plays of them.
    if (a.dataset.peaks && window.fetch && window.ResizeObserver)
      peaks(a.dataset.peaks).then((j) => wave(pl, amps(j, parseFloat(a.dataset.peaksStart), parseFloat(a.dataset.peaksEnd)))).catch(() => {});
  };
  const PEAKS = new Map(); // one fetch per peaks file, however many clips draw from it
  const peaks = (url) => {
    if (!PEAKS.has(url)) PEAKS.set(url, fetch(url).then((x) => (x.ok ? x.json() : null)).catch(() => null));
    return PEAKS.get(url);
  };
  const update = (pl, t) => { // writes only what changed: a clip-path per tick, text per second
    const a = pl.a, d = dur(a), p = !a.paused, sec = Math.floor(t), ds = Math.floor(d);
    if (p !== pl.p) {
      pl.root.classList.toggle("im-playing", (pl.p = p));
      set(pl.pb, "aria-label", p ? "Pause" : "Play");
    }
    const c = `inset(0 ${(100 - (d > 0 ? Math.min(1, t / d) : 0) * 100).toFixed(2)}% 0 0)`;
    if (c !== pl.c) pl.c = pl.fill.style.clipPath = pl.c2 ? (pl.c2.style.clipPath = c) : c;
    if (sec !== pl.sec || ds !== pl.ds) {
      const x = fmt(t), y = fmt(d); // a clip (preload="none") may not know its duration yet
      pl.time.textContent = d ? `${x} / ${y}` : x;
      set(pl.sk, "aria-valuemax", (pl.ds = ds));
      set(pl.sk, "aria-valuenow", Math.min((pl.sec = sec), ds));
      set(pl.sk, "aria-valuetext", d ? `${x} of ${y}` : x);
    }
    if (pl.sp && a.playbackRate !== pl.r) {
      pl.sp.textContent = (pl.r = a.playbackRate) + "×";
      set(pl.sp, "aria-label", `Playback speed ${pl.r}×`);
    }
  };
  // audiowaveform JSON (any bits, channels) -> amplitude per pixel, 0..1; with from/to
  // (seconds), only that slice of the recording, scaled to its own loudest point.
  const amps = (j, from, to) => {
    const d = j && j.data, w = 2 * Math.max(1, j && j.channels | 0), all = d && Math.floor(d.length / w);
    if (!Array.isArray(d) || !all) return null;
    let i0 = 0, i1 = all;
    if (isFinite(from) && isFinite(to) && to > from) {
      const pps = (j.sample_rate || 0) / (j.samples_per_pixel || 0); // peaks per second
      if (!(pps > 0) || !isFinite(pps)) return null;
      i0 = clamp(Math.floor(from * pps), 0, all - 1);
      i1 = clamp(Math.ceil(to * pps), i0 + 1, all);
    }
    const n = i1 - i0, out = new Float32Array(n);
    let mx = 0;
    for (let i = 0; i < n; i++) {
      for (let k = (i0 + i) * w; k < (i0 + i) * w + w; k++) out[i] = Math.max(out[i], Math.abs(d[k]) || 0);
      mx = Math.max(mx, out[i]);
    }
    return mx ? out.map((v) => v / mx) : out;
  };
  const wave = (pl, amp) => {
    if (!amp) return;
    pl.amp = amp;
    pl.c1 = el("canvas", "im-wave");
    pl.c2 = el("canvas", "im-wave im-wave-played");
    pl.c2.style.clipPath = pl.c;
    pl.sk.append(pl.c1, pl.c2);
    pl.sk.classList.add("im-has-wave");
    for (const o of waves) if (!o.root.isConnected) waves.delete(o); // players the kiosk removed
    waves.add(pl);
    new ResizeObserver(safe((es) => {
      ({ width: pl.w, height: pl.h } = es[es.length - 1].contentRect);
      draw(pl);
    })).observe(pl.c1);
  };
  const draw = (pl) => { // bars of 2 css px, played part in --im-primary (via CSS color)
    try {
      const dpr = window.devicePixelRatio || 1, W = Math.round(pl.w * dpr), H = Math.round(pl.h * dpr);
      const bw = Math.max(1, Math.round(2 * dpr)), step = bw + Math.max(1, Math.round(dpr));
      const n = Math.floor(W / step), amp = pl.amp, L = amp.length;
      for (const c of [pl.c1, pl.c2]) {
        c.width = W; c.height = H;
        const g = c.getContext("2d");
        g.fillStyle = getComputedStyle(c).color;
        for (let i = 0; i < n; i++) {
          let v = 0, k = Math.floor((i * L) / n);
          for (const e = Math.min(L, Math.max(k + 1, Math.floor(((i + 1) * L) / n))); k < e; k++) v = Math.max(v, amp[k]);
          const h = Math.max(dpr, v * H);
          g.fillRect(i * step, (H - h) / 2, bw, h);
        }
      }
    } catch { /* the plain bar stays usable */ }
  };

  // ---- transcript
  const initTranscript = (box) => {
    const a = byId(box.dataset.for), s = a && state(a), cues = qa(box, "li.im-cue");
    if (!s) return;
    const tr = { box, cues, starts: times(cues)[0], cur: -1, user: -1e9, raf: 0 };
    on(box, "click", (e) => {
      const li = e.target.closest("li.im-cue"), sel = getSelection();
      if (!li || !box.contains(li) || e.target.closest("a")) return;
      if (!e.target.closest("button") && sel && !sel.isCollapsed && li.contains(sel.anchorNode)) return; // copying a quote
      seek(a, parseFloat(li.dataset.start), true);
    });
    const user = () => (tr.user = performance.now());
    for (const ev of ["wheel", "touchmove", "keydown"]) on(box, ev, user, { passive: true });
    on(box, "pointerdown", (e) => e.target === box && user(), { passive: true }); // its scrollbar
    s.trs.push(tr);
    s.subs.push((t) => mark(tr, t));
    mark(tr, now(s));
  };
  const mark = (tr, t) => { // touches the old and the new line only; layout waits for a frame
    const i = find(tr.starts, t + 0.001), old = tr.cues[tr.cur], li = tr.cues[i];
    if (i === tr.cur) return;
    if (old) { old.classList.remove(CUE); old.removeAttribute("aria-current"); }
    tr.cur = i;
    if (!li) return;
    li.classList.add(CUE);
    set(li, "aria-current", "true");
    if (!tr.raf && performance.now() - tr.user > 5000) tr.raf = requestAnimationFrame(safe(() => follow(tr)));
  };
  const follow = (tr) => { // the box's own scrollTop: never scrollIntoView, which moves the page
    const box = tr.box, li = tr.cues[tr.cur];
    tr.raf = 0;
    if (!li || box.scrollHeight <= box.clientHeight + 1) return;
    const top = li.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    const want = Math.max(0, Math.round(top - box.clientHeight / 3));
    if (Math.abs(want - box.scrollTop) > 4) box.scrollTop = want;
  };

  // ---- photo film
  const initFilm = (fe) => {
    const stage = fe.querySelector(".im-film-stage"), frames = qa(fe, ".im-film-frame"), n = frames.length;
    if (!stage || !n) return;
    const [starts, ends] = times(frames), a = byId(fe.dataset.for), ctl = el("div", "im-film-controls");
    const prev = btn("im-prev", "Previous frame", svg("prev")), next = btn("im-next", "Next frame", svg("next"));
    const fm = { fe, frames, starts, ends, a, n, cur: -1, on: false, base: 0, t0: 0, cap: "",
      pb: btn("im-play", "Play", svg("play") + svg("pause")), count: el("span", "im-film-counter"),
      line: el("p", "im-film-caption") };
    ctl.append(prev, fm.pb, next, fm.count);
    frames.forEach((f, i) => f.style.setProperty("--im-frame-seconds", Math.max(0.1, ends[i] - starts[i]).toFixed(3) + "s"));
    on(prev, "click", () => go(fm, fm.cur - 1));
    on(next, "click", () => go(fm, fm.cur + 1));
    on(fm.pb, "click", () => fplay(fm, !playing(fm)));
    on(fe, "keydown", (e) => {
      const k = e.key, self = e.target === fe;
      if (e.altKey || e.ctrlKey || e.metaKey || !(self || e.target.closest(".im-film-controls"))) return;
      if (k === "ArrowLeft" || k === "ArrowRight") go(fm, fm.cur + (k === "ArrowLeft" ? -1 : 1));
      else if (k === "Home") go(fm, 0);
      else if (k === " " && self) fplay(fm, !playing(fm));
      else return;
      e.preventDefault();
    });
    let x0 = null, y0 = 0; // a horizontal swipe (> 40 px) is previous / next
    on(stage, "pointerdown", (e) => { x0 = e.clientX; y0 = e.clientY; }, { passive: true });
    on(stage, "pointercancel", () => (x0 = null), { passive: true });
    on(stage, "pointerup", (e) => {
      const dx = e.clientX - x0, dy = e.clientY - y0;
      if (x0 !== null && Math.abs(dx) > 40 && Math.abs(dx) > 1.5 * Math.abs(dy)) go(fm, fm.cur + (dx < 0 ? 1 : -1));
      x0 = null;
    }, { passive: true });
    if (a) {
      const s = state(a);
      s.subs.push((t) => { fshow(fm, t); ahead(fm, t); });
      fshow(fm, now(s));
    } else fshow(fm, 0);
    frames.forEach((f, i) => i !== fm.cur && set(f, "aria-hidden", "true"));
    stage.after(fm.line, ctl);
    if (!fe.hasAttribute("tabindex")) fe.tabIndex = 0;
    FILMS.set(fe, fm);
    fe.classList.add("im-enhanced");
  };
  const playing = (fm) => (fm.a ? !fm.a.paused : fm.on);
  const ftime = (fm) => (fm.a ? now(state(fm.a)) : fm.base + (fm.on ? (performance.now() - fm.t0) / 1000 : 0));
  const fshow = (fm, t) => {
    const k = Math.max(0, find(fm.starts, t + 0.001)), f = fm.frames[k], old = fm.frames[fm.cur], p = playing(fm);
    if (k !== fm.cur) {
      if (fm.out) fm.out.classList.remove(OUT);
      if (old) { old.classList.replace(CUR, OUT); set(old, "aria-hidden", "true"); fm.out = old; }
      f.classList.remove(OUT);
      f.style.setProperty("--im-frame-offset", Math.max(0, t - fm.starts[k]).toFixed(2) + "s");
      f.classList.add(CUR);
      f.removeAttribute("aria-hidden");
      fm.count.textContent = `Frame ${(fm.cur = k) + 1} of ${fm.n}`;
      const ov = old && old.querySelector("video.im-film-video");
      if (ov && old !== f) ov.pause();
    }
    fvideo(fm, f, t, p);
    if (p !== fm.p) { // the counter is a live region only while paused: no chatter
      fm.fe.classList.toggle("im-playing", (fm.p = p));
      set(fm.pb, "aria-label", p ? "Pause" : "Play");
      if (p) fm.count.removeAttribute("aria-live"); else set(fm.count, "aria-live", "polite");
    }
    const tr = fm.a && AS.get(fm.a).trs[0], c = tr && tr.cues[tr.cur]; // the narration's line,
    const text = ((c && (c.querySelector(".im-cue-text") || c)) || f.querySelector("figcaption") || {}) // else the caption
      .textContent || "";
    if (text.trim() !== fm.cap) fm.line.textContent = fm.cap = text.trim();
  };
  // A video frame (a highlight's clip) plays, muted, while it is on screen and the film
  // plays, on the film's clock: it is put back in step when it drifts by half a second.
  const fvideo = (fm, f, t, p) => {
    const v = f.querySelector("video.im-film-video");
    if (!v) return;
    v.muted = true;
    if (!p) { v.pause(); return; }
    const want = Math.max(0, t - fm.starts[fm.cur]);
    if (Math.abs(v.currentTime - want) > 0.5) v.currentTime = want;
    if (v.paused) v.play().catch(() => {});
  };
  const ahead = (fm, t) => { // timeupdate is ~4 Hz: wake up at the next frame's start
    const nx = fm.starts[fm.cur + 1];
    clearTimeout(fm.timer);
    if (nx !== undefined && !fm.a.paused)
      fm.timer = later(() => fshow(fm, fm.a.currentTime), ((nx - t) * 1000) / (fm.a.playbackRate || 1) + 5);
  };
  const tick = (fm) => { // own clock (no narration): one timeout per frame
    let t = ftime(fm);
    const last = fm.ends[fm.n - 1];
    clearTimeout(fm.timer);
    if (fm.on && t >= last) { fm.on = false; fm.base = t = last; }
    fshow(fm, t);
    if (fm.on) fm.timer = later(() => tick(fm), Math.max(10, ((fm.starts[fm.cur + 1] ?? last) - t) * 1000 + 5));
  };
  const fplay = (fm, p) => {
    if (fm.a) return p ? play(fm.a) : fm.a.pause();
    const t = ftime(fm);
    fm.base = p && t >= fm.ends[fm.n - 1] - 0.05 ? 0 : t; // at the end: again from the start
    fm.t0 = performance.now();
    fm.on = p;
    tick(fm);
  };
  const go = (fm, k) => {
    const t = fm.starts[clamp(k, 0, fm.n - 1)];
    if (fm.a) return seek(fm.a, t);
    fm.base = t;
    fm.t0 = performance.now();
    tick(fm);
  };

  // ---- page-wide: seek links, one voice at a time, deep links
  const onHash = () => {
    const h = decodeURIComponent(location.hash.slice(1)), m = /^t=(?:npt:)?([\d:.]+)/.exec(h);
    const t = h && D.getElementById(h);
    if (m) return seek(D.querySelector("audio[id],video[id]"), parseT(m[1]));
    if (!t) return;
    const box = t.matches("li.im-cue") && t.closest(".im-transcript");
    const fm = t.matches(".im-film-frame") && FILMS.get(t.closest("[data-im-film]"));
    if (t.dataset.seek != null) seek(byId(t.dataset.for), parseT(t.dataset.seek));
    else if (box) seek(byId(box.dataset.for), t.dataset.start);
    else if (fm) go(fm, fm.frames.indexOf(t));
  };
  const hash = safe(onHash); // a malformed fragment is ignored
  let ready = false;
  const once = () => {
    ready = true;
    on(D, "click", (e) => {
      const b = e.target.closest && e.target.closest("button[data-seek],a[data-seek]"), a = b && byId(b.dataset.for);
      if (a) { e.preventDefault(); seek(a, parseT(b.dataset.seek), true); }
    });
    on(D, "play", (e) => { for (const m of qa(D, "audio,video")) if (m !== e.target && !m.paused) m.pause(); }, true);
    on(window, "hashchange", hash);
    const recolour = () => { for (const pl of waves) if (pl.root.isConnected) draw(pl); else waves.delete(pl); };
    if (window.MutationObserver) new MutationObserver(recolour) // material's light/dark palette switch
      .observe(D.body, { attributes: true, attributeFilter: ["data-md-color-scheme", "data-md-color-primary"] });
  };
  const each = (root, sel, fn) => {
    for (const e of [...(root.matches && root.matches(sel) ? [root] : []), ...qa(root, sel)]) {
      if (e.dataset.imReady) continue;
      e.dataset.imReady = "1"; // idempotent
      try { fn(e); } catch { /* leave the native fallback */ }
    }
  };
  const init = safe((root = D) => {
    if (!ready) once();
    each(root, "[data-im-player]", initPlayer);
    each(root, ".im-transcript[data-for]", initTranscript);
    each(root, "[data-im-film]", initFilm);
    if (root === D) hash();
  });
  window.immersionPlayers = {
    version: "1",
    init,
    seek,
    currentCue: (id) => { const s = AS.get(byId(id)); return s && s.trs[0] ? s.trs[0].cur : -1; },
    currentFrame: (f) => (FILMS.get(f) || { cur: -1 }).cur,
    _sync: sync, // bench/transcript.py times the timeupdate handler with this
  };
  if (D.readyState === "loading") on(D, "DOMContentLoaded", () => init());
  else init();
})();
