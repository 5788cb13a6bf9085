/* immersion kiosk service worker: a TEMPLATE. For each display the build writes
   <display>/sw.js as these lines followed by this file:
     const VERSION = "<build stamp>";
     const PRECACHE = ["./", "persona/maya/", "../media/stories/p07/interview.opus", ...];
     const BUILT = "<ISO instant of the build>";
     const VALID_UNTIL = {"story/p07/": "<ISO instant its consent ends>", ...};
   (URLs relative to sw.js). It precaches them at install (a missing file is skipped),
   serves same-origin GETs cache-first, answers Range requests from the cache with 206,
   and an update waits until the page asks ("activate-update", at an idle reset). */
(() => {
  "use strict";
  const PREFIX = "immersion-kiosk-";
  const SCOPE = new URL(self.registration.scope).pathname;
  // Caches are per origin and shared by every display's worker: the scope is in the
  // name, so that one display's update never deletes another display's cache.
  const CACHE = `${PREFIX}${VERSION} ${SCOPE}`;
  const ENTRY = new URL("./", self.location).href;
  const KEEP = /\/(media|assets)\//; // fetched later from the network: worth keeping
  const gone = () => new Response("", { status: 504, statusText: "Gateway Timeout" });

  // ---- validity: the build also prepends BUILT and VALID_UNTIL ({URL: instant}). Past its
  // instant an item's page or media file is as if absent: never served (not even from the
  // network), deleted from the cache, a navigation to it goes to the loop. Fail closed: a
  // clock earlier than the build counts as the build's instant.
  const V_BUILT = typeof BUILT === "string" ? Date.parse(BUILT) || 0 : 0;
  const V_ENDS = new Map();
  try {
    for (const [u, v] of Object.entries(typeof VALID_UNTIL === "object" && VALID_UNTIL ? VALID_UNTIL : {}))
      if (Number.isFinite(Date.parse(v))) V_ENDS.set(new URL(u, self.location).href, Date.parse(v));
  } catch { /* no dates: nothing ends */ }
  // The latest time this worker has read, kept in a cache of its own across restarts: a
  // clock reset after a consent ended must not bring that content back either.
  const CLOCK = `${PREFIX}clock`, CLOCK_URL = new URL("./ik-clock-seen", self.location).href;
  let seen = 0, seenRead = null;
  const readSeen = () => (seenRead = seenRead || caches.match(CLOCK_URL, { cacheName: CLOCK }).then((r) => (r ? r.text() : "0"))
    .then((v) => { seen = Math.max(seen, +v || 0); }).catch(() => {}));
  const validNow = () => {
    const t = Date.now();
    if (t > seen + 60000) { seen = t; caches.open(CLOCK).then((c) => c.put(CLOCK_URL, new Response(String(t)))).catch(() => {}); }
    return Math.max(t, V_BUILT, seen);
  };
  const pageKey = (url) => { // ".../index.html", "?q", "#x": the same page or file
    const u = new URL(url);
    u.search = ""; u.hash = "";
    if (u.pathname.endsWith("/index.html")) u.pathname = u.pathname.slice(0, -10);
    return u.href;
  };
  const isExpired = (url) => { const t = V_ENDS.get(pageKey(url)); return t !== undefined && validNow() >= t; };
  const sweepExpired = async () => { // delete what has ended from this display's cache
    const cache = await caches.open(CACHE);
    for (const [u, t] of V_ENDS) if (validNow() >= t) await cache.delete(u, { ignoreSearch: true });
  };
  const expiredAnswer = async (request) => {
    sweepExpired().catch(() => {});
    if (request.mode === "navigate" && !isExpired(ENTRY)) return Response.redirect(ENTRY, 302);
    return new Response("", { status: 404, statusText: "Not Found" });
  };

  const plain = async (res) => // a redirected response cannot answer a navigation
    res.redirected ? new Response(await res.blob(), { status: res.status, statusText: res.statusText, headers: res.headers }) : res;

  const precache = async () => {
    const cache = await caches.open(CACHE);
    await readSeen();
    const urls = [...new Set(PRECACHE.flatMap((u) => { try { return [new URL(u, self.location).href]; } catch { return []; } }))].filter((u) => !isExpired(u));
    let next = 0, entry = !urls.includes(ENTRY);
    const worker = async () => {
      while (next < urls.length) {
        const url = urls[next++];
        try {
          const res = await fetch(new Request(url, { cache: "reload", credentials: "same-origin" }));
          if (res.status !== 200) throw new Error(String(res.status));
          await cache.put(url, await plain(res));
          if (url === ENTRY) entry = true;
        } catch {
          // A missing file never stops the display. An update fetched through a network
          // blip keeps the copy the old build had, so the new cache is never poorer.
          try { const kept = await caches.match(url); if (kept) await cache.put(url, kept); } catch { /* */ }
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    // Without its entry page a build is no use offline: keep the one that works.
    if (!entry) throw new Error("entry page not cached");
  };

  self.addEventListener("install", (event) => {
    if (!self.registration.active) self.skipWaiting().catch(() => {}); // the first: at once
    event.waitUntil(precache());
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil((async () => {
      try {
        for (const key of await caches.keys())
          if (key !== CACHE && key.startsWith(PREFIX) && key.endsWith(" " + SCOPE)) await caches.delete(key);
      } catch { /* an old cache costs only space */ }
      await sweepExpired().catch(() => {});
      await self.clients.claim();
    })());
  });

  self.addEventListener("message", (event) => {
    if (event.data === "activate-update") self.skipWaiting().catch(() => {});
  });

  const unsatisfiable = (size) =>
    new Response("", { status: 416, statusText: "Range Not Satisfiable", headers: { "Content-Range": `bytes */${size}` } });

  // "bytes=a-b", "bytes=a-", "bytes=-n" (the first range only) from a cached 200.
  const ranged = async (res, header) => {
    const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*(,.*)?$/i.exec(header.trim());
    if (!m || (!m[1] && !m[2]) || (m[1] && m[2] && +m[2] < +m[1])) return res; // ignored: all of it
    const blob = await res.blob(), size = blob.size;
    let first, last;
    if (!m[1]) {
      if (!+m[2]) return unsatisfiable(size);
      first = Math.max(0, size - m[2]);
      last = size - 1;
    } else {
      first = +m[1];
      last = m[2] ? Math.min(+m[2], size - 1) : size - 1;
    }
    if (first >= size) return unsatisfiable(size);
    const headers = new Headers({
      "Content-Type": res.headers.get("Content-Type") || blob.type || "application/octet-stream",
      "Content-Range": `bytes ${first}-${last}/${size}`,
      "Content-Length": String(last - first + 1),
      "Accept-Ranges": "bytes",
    });
    return new Response(blob.slice(first, last + 1), { status: 206, statusText: "Partial Content", headers });
  };

  const lookup = async (cache, url, navigate) => {
    const hit = await cache.match(url.href, { ignoreSearch: navigate, ignoreVary: true });
    if (hit || !navigate) return hit || (url.search ? cache.match(url.href, { ignoreSearch: true, ignoreVary: true }) : undefined);
    const path = url.pathname; // ".../index.html" and ".../name" are the page ".../"
    const alt = path.endsWith("/index.html") ? path.slice(0, -10) : path.endsWith("/") ? "" : path + "/";
    return alt ? cache.match(new URL(alt, url).href, { ignoreSearch: true, ignoreVary: true }) : undefined;
  };

  const answer = async (request, url) => {
    await readSeen();
    if (isExpired(url.href)) return expiredAnswer(request);
    const cache = await caches.open(CACHE);
    if (request.mode === "navigate") {
      sweepExpired().catch(() => {});
      const hit = await lookup(cache, url, true);
      if (hit) return hit;
      let res;
      try { res = await fetch(request); } catch { /* offline */ }
      if (res && res.ok) return res;
      // Never an error page: the entry page instead, at its own URL (its links are relative).
      if (url.href !== ENTRY && (await cache.match(ENTRY))) return Response.redirect(ENTRY, 302);
      return res || gone();
    }
    const range = request.headers.get("Range");
    const hit = await lookup(cache, url, false);
    if (hit) return range ? ranged(hit, range) : hit;
    try {
      const res = await fetch(request);
      if (!range && res.status === 200 && res.type === "basic" && KEEP.test(url.pathname))
        cache.put(url.href, res.clone()).catch(() => {});
      return res;
    } catch {
      return gone();
    }
  };

  self.addEventListener("fetch", (event) => {
    const request = event.request;
    let url;
    try { url = new URL(request.url); } catch { return; }
    if (request.method !== "GET" || url.origin !== self.location.origin) return;
    event.respondWith(answer(request, url).catch(gone));
  });
})();
