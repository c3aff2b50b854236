// Kapwa live updates (kapwa/inbox/live.py, docs/live.md): one event stream per browser, shared by its tabs;
// the inbox and the conversation page update in place; teammates on the same conversation see each other.
// Every platform or teammate text is written with textContent, never as HTML.
(() => {
  "use strict";
  if (!window.EventSource || !window.fetch || !document.querySelector(".topbar")) return;

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = () => ($("input[name=csrf_token]") || {}).value || "";
  const fill = (tpl, vars) => String(tpl || "").replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  const tabId = Math.random().toString(36).slice(2, 12);
  const make = (tag, props = {}, attrs = {}) => {
    const el = Object.assign(document.createElement(tag), props);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  };

  let cfg = { user_id: null, ping_seconds: 20, strings: {}, statuses: {}, present: {} };
  const S = (key, vars = {}) => fill(cfg.strings[key] || "", vars);
  const configured = fetch("/live/config", { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : null))
    .then((c) => { if (c) cfg = c; })
    .catch(() => {});

  // ----------------------------------------------------------------------------------- announcements

  const announcer = make("div", { id: "live-announcer", className: "visually-hidden" }, { "aria-live": "polite" });
  document.body.appendChild(announcer);
  function announce(text) { // each announcement is a new line (read in turn), removed after a while
    if (!text) return;
    const line = make("p", { textContent: text });
    announcer.append(line);
    setTimeout(() => line.remove(), 20000);
  }

  const statusPill = make("div", { id: "live-status", className: "live-status", hidden: true });
  document.body.appendChild(statusPill);
  let offlineTimer = 0;
  let shownOffline = false;
  function setOnline(online) {
    document.documentElement.dataset.live = online ? "open" : "offline";
    if (online) {
      clearTimeout(offlineTimer);
      offlineTimer = 0;
      if (shownOffline) announce(S("back_online"));
      shownOffline = false;
      statusPill.hidden = true;
      return;
    }
    if (offlineTimer || shownOffline) return; // already counting (failed retries keep coming)
    offlineTimer = setTimeout(() => { // brief reconnects stay invisible
      shownOffline = true;
      statusPill.textContent = S("offline");
      statusPill.hidden = false;
      announce(S("offline"));
    }, 5000);
  }

  const actorName = (d) => (d.actor_id && d.actor_id === cfg.user_id ? S("you") : d.actor_name || S("someone"));
  const byOthers = (d) => !(d.actor_id && d.actor_id === cfg.user_id);

  // ------------------------------------------------------------------------------------- the inbox

  const banner = $("#live-banner");
  let unseen = 0;
  let missed = false;

  function showBanner() {
    if (!banner) return;
    banner.textContent = "";
    const text = make("span", { className: "live-banner-text",
      textContent: missed && !unseen ? S("missed") : S(unseen === 1 ? "new_one" : "new_other", { n: unseen }) });
    const button = make("button", { type: "button", className: "primary", textContent: S("show") });
    button.addEventListener("click", () => window.location.reload()); // same URL: filters and page kept
    banner.append(text, " ", button);
    banner.hidden = false;
    announce(text.textContent);
  }

  const rowOf = (id) => $(`tr[data-conversation-id="${Number(id)}"]`);

  function markNew(row) {
    row.classList.add("live-has-new");
    const cell = $(".conv", row) || row.cells[0];
    if (!cell || $(".live-new", cell)) return;
    cell.prepend(make("span", { className: "live-new", textContent: S("new_marker") }), " ");
  }

  function flash(el) {
    el.classList.remove("live-flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("live-flash");
  }

  function updateRow(d) {
    const row = rowOf(d.id);
    if (!row) return;
    const status = $("[data-field=status]", row);
    if (status && d.status) {
      const chip = $(".status", status) || status;
      chip.textContent = cfg.statuses[d.status] || d.status;
      if (chip !== status) chip.className = `status status-${d.status}`;
    }
    const assignee = $("[data-field=assignee]", row);
    if (assignee && "assignee_id" in d) assignee.textContent = d.assignee_id ? d.assignee_name || "" : "—";
    flash(row);
  }

  function rowPresence(conversationId, people) {
    const row = rowOf(conversationId);
    if (!row) return;
    const cell = $(".conv", row) || row.cells[0];
    let box = $(".row-presence", row);
    people = (people || []).filter((p) => p.user_id !== cfg.user_id);
    if (!people.length) { if (box) box.remove(); return; }
    if (!box) cell.append(" ", (box = make("span", { className: "row-presence" })));
    const replying = people.some((p) => p.state === "replying");
    box.classList.toggle("is-replying", replying);
    box.textContent = people.map((p) => S(p.state === "replying" ? "replying" : "viewing", { name: p.name })).join(", ");
  }

  // ---------------------------------------------------------------------------- the conversation page

  const presenceBox = $("#presence");
  const conversationId = presenceBox ? Number(presenceBox.dataset.conversationId) : null;
  let lastPresence = "";

  function renderPresence(people) {
    if (!presenceBox) return;
    people = (people || []).filter((p) => p.user_id !== cfg.user_id && String(p.user_id) !== presenceBox.dataset.userId);
    const key = JSON.stringify(people);
    if (key === lastPresence) return;
    lastPresence = key;
    const list = $("#presence-list", presenceBox);
    list.textContent = "";
    for (const p of people) {
      const state = p.state === "replying" ? "replying" : "viewing";
      const li = make("li", { className: `presence-${state}` }, { "data-user-id": p.user_id, "data-state": state });
      li.append(make("span", { className: "presence-dot" }, { "aria-hidden": "true" }), S(state, { name: p.name }));
      list.append(li);
    }
    collisionWarning(people.filter((p) => p.state === "replying"));
  }

  function collisionWarning(replying) {
    let warn = $("#collision-warning");
    const form = $("#reply-form");
    if (!replying.length || !form) { if (warn) warn.remove(); return; }
    const text = S("collision", { name: replying.map((p) => p.name).join(", ") });
    if (!warn) {
      warn = make("p", { id: "collision-warning", className: "collision-warning" });
      form.parentNode.insertBefore(warn, form);
    }
    if (warn.textContent !== text) announce(text);
    warn.textContent = text;
  }

  let pingState = "viewing";
  function ping(state, keepalive = false) {
    if (!presenceBox) return Promise.resolve();
    return fetch(`/conversations/${conversationId}/presence`, {
      method: "POST", credentials: "same-origin", keepalive,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), Accept: "application/json" },
      body: JSON.stringify({ state, tab: tabId }),
    }).then((r) => (r.ok ? r.json() : null)).then((j) => { if (j && state !== "left") renderPresence(j.present); })
      .catch(() => {});
  }

  function composerState() {
    const body = $("#reply-body");
    const state = body && body.value.trim() ? "replying" : "viewing";
    if (state !== pingState) { pingState = state; ping(state); }
  }

  // New messages: fetch this page again and add the messages this copy doesn't have yet (rendered and
  // escaped by the server exactly as on first load); the composer and its draft are left alone.
  let syncing = null;
  let syncAgain = false;
  function syncThread() {
    if (syncing) { syncAgain = true; return syncing; }
    syncing = fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((r) => (r.ok ? r.text() : ""))
      .then((html) => {
        if (!html) return;
        const doc = new DOMParser().parseFromString(html, "text/html");
        const thread = $(".thread");
        if (!thread) return;
        let after = null; // each new message goes after the one before it in the fresh copy
        let added = 0;
        for (const msg of $$(".thread article.message", doc)) {
          const mine = document.getElementById(msg.id);
          if (mine) { after = mine; continue; }
          const node = document.importNode(msg, true);
          node.classList.add("live-new-message");
          if (after) after.after(node); else thread.prepend(node);
          after = node;
          added += 1;
        }
        if (added) announce(added === 1 ? S("arrived_one") : S("arrived_other", { n: added }));
        refreshNotes($("#notes", doc));
        // Panels that opt in with data-live-refresh (and an id) are swapped for their fresh copy, unless the
        // viewer is working in them.
        for (const el of $$("[data-live-refresh][id]")) {
          const fresh = doc.getElementById(el.id);
          if (fresh && !el.contains(document.activeElement)) el.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(() => {})
      .finally(() => {
        syncing = null;
        if (syncAgain) { syncAgain = false; syncThread(); }
      });
    return syncing;
  }

  // The notes list is replaced; the heading and the note form (and any draft in it) stay as they are.
  function refreshNotes(fresh) {
    const notes = $("#notes");
    if (!notes || !fresh) return;
    const keep = (el) => el.matches("h2, form") || el.querySelector("form");
    const anchor = Array.from(notes.children).find((el) => el.matches("form") || el.querySelector("form"));
    for (const el of Array.from(notes.children)) if (!keep(el)) el.remove();
    for (const el of Array.from(fresh.children)) {
      if (keep(el)) continue;
      const node = document.importNode(el, true);
      if (anchor) notes.insertBefore(node, anchor); else notes.append(node);
    }
  }

  function updateHeader(d) {
    const chip = $("[data-field=status]") || $("main > p.muted .status");
    if (chip && d.status) {
      chip.textContent = cfg.statuses[d.status] || d.status;
      chip.className = `status status-${d.status}`;
    }
    for (const [id, value] of [["cst", d.status], ["cpr", d.priority], ["cas", d.assignee_id ? String(d.assignee_id) : ""]]) {
      const select = document.getElementById(id);
      if (!select || value === undefined || document.activeElement === select) continue;
      const initial = $$("option", select).find((o) => o.defaultSelected);
      if (initial && select.value !== initial.value) continue; // the viewer has an unsaved change here
      select.value = value;
      for (const o of select.options) o.defaultSelected = o.value === value;
    }
    if (!byOthers(d)) return;
    const changes = d.changes || [];
    const actor = actorName(d);
    if (changes.includes("status")) announce(S(d.actor_id ? "status_by" : "status", { actor, status: cfg.statuses[d.status] || d.status }));
    else if (changes.includes("assignee_id")) announce(d.assignee_id ? S("assigned_by", { actor, name: d.assignee_name }) : S("unassigned_by", { actor }));
  }

  // ---------------------------------------------------------------------------------------- events

  const handlers = {
    "messages.ingested": (d) => {
      const convs = d.conversations || [];
      if (banner) {
        for (const c of convs) {
          const row = c.messages && c.messages.length ? rowOf(c.id) : null;
          if (row) markNew(row);
        }
        if (d.count) { unseen += d.count; showBanner(); }
      }
      if (conversationId && convs.some((c) => c.id === conversationId)) syncThread();
    },
    "conversation.updated": (d) => {
      updateRow(d);
      if (conversationId && d.id === conversationId) updateHeader(d);
    },
    "conversation.note": (d) => noteAdded(d.id, d),
    "note.created": (d) => noteAdded(d.conversation_id, d),
    "presence.changed": (d) => {
      cfg.present[d.conversation_id] = d.present;
      rowPresence(d.conversation_id, d.present);
      if (conversationId && d.conversation_id === conversationId) renderPresence(d.present);
    },
    resync: () => {
      if (banner) { missed = true; showBanner(); }
      if (conversationId) syncThread();
    },
  };

  function bell(n) { // the header's notification bell (team notifications)
    const b = $("#notification-bell");
    if (!b) return;
    n = Math.max(0, n);
    b.dataset.unreadCount = n;
    b.classList.toggle("has-unread", n > 0);
    b.setAttribute("aria-label", S("bell", { n }));
    const count = $(".bell-count", b);
    if (count) { count.textContent = n < 100 ? String(n) : "99+"; count.hidden = !n; }
  }
  const unread = () => Number(($("#notification-bell") || { dataset: {} }).dataset.unreadCount || 0);
  handlers["notification.created"] = (d) => { bell(unread() + 1); announce(d.text); };
  // marked read (or, with unread: true, unread again) in another tab or page
  handlers["notification.read"] = (d) => bell(unread() + (d.unread ? 1 : -1) * (Number(d.count) || 0));

  function noteAdded(id, d) {
    if (!conversationId || id !== conversationId) return;
    syncThread();
    if (byOthers(d)) announce(d.actor_id ? S("note_by", { actor: actorName(d) }) : S("note"));
  }

  function replyEvent(type, d) { // the reply list refreshes itself (replies.js); a sent reply comes as a message
    if (!conversationId || d.conversation_id !== conversationId) return;
    const status = d.status || type.split(".").pop();
    const key = { sent: "reply_sent", failed: "reply_failed", pending_approval: "reply_pending" }[status];
    if (key && byOthers(d)) announce(S(key));
  }

  function dispatch(msg) {
    if (!msg || typeof msg.type !== "string") return;
    const d = msg.data || {};
    try {
      if (handlers[msg.type]) handlers[msg.type](d);
      else if (msg.type.startsWith("reply.")) replyEvent(msg.type, d);
    } finally {
      document.dispatchEvent(new CustomEvent("kapwa:live", { detail: msg })); // for other scripts
    }
  }

  // ------------------------------------------------------------------ one stream, shared by the tabs
  // The tab holding the "kapwa-live" lock owns the EventSource and relays what it receives to the other
  // tabs over a BroadcastChannel (browsers allow only ~6 connections per server over HTTP/1.1).

  const channel = "BroadcastChannel" in window ? new BroadcastChannel("kapwa-live") : null;
  let lastId = document.body.dataset.liveId || ""; // the page was rendered at this event: resume from it
  let source = null;
  let backoff = 1000;
  let stopped = false;

  const seen = new Set();
  const recent = []; // the stream's tab keeps the last events, to catch up tabs opened meanwhile
  const split = (id) => { const i = String(id || "").lastIndexOf("-"); return i < 0 ? ["", 0] : [id.slice(0, i), Number(id.slice(i + 1))]; };

  function deliver(msg, id) {
    if (id) {
      if (seen.has(id)) return;
      seen.add(id);
      if (seen.size > 500) seen.delete(seen.values().next().value);
      lastId = id;
    }
    configured.then(() => dispatch(msg));
  }

  function catchUp(since, tab) { // a tab rendered at event `since` missed what came before it listened
    const [epoch, seq] = split(since);
    if (!epoch) return;
    for (const r of recent) {
      const [e, s] = split(r.id);
      if (e === epoch && s > seq) channel.postMessage({ msg: r.msg, id: r.id, to: tab });
    }
  }

  function connect() {
    if (stopped) return;
    source = new EventSource("/events" + (lastId ? `?last_event_id=${encodeURIComponent(lastId)}` : ""));
    source.onopen = () => { backoff = 1000; setOnline(true); if (channel) channel.postMessage({ online: true }); };
    source.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch (_) { return; }
      if (msg.type === "signed_out") { stop(); return; }
      if (msg.type === "busy") { source.close(); retry(30000); return; }
      deliver(msg, e.lastEventId);
      if (!channel) return;
      channel.postMessage({ msg, id: e.lastEventId });
      recent.push({ msg, id: e.lastEventId });
      if (recent.length > 200) recent.shift();
    };
    source.onerror = () => {
      setOnline(false);
      if (channel) channel.postMessage({ online: false });
      if (source.readyState === EventSource.CLOSED) retry(); // refused (429, signed out…): our own backoff
    };
  }

  function retry(delay) {
    if (source) source.close();
    const wait = delay || backoff + Math.random() * backoff * 0.5;
    backoff = Math.min(backoff * 2, 60000);
    setTimeout(connect, wait);
  }

  function stop() {
    stopped = true;
    if (source) source.close();
  }

  if (channel) {
    channel.onmessage = (e) => {
      const m = e.data || {};
      if (m.hello && source) {
        channel.postMessage({ online: source.readyState === EventSource.OPEN });
        catchUp(m.since, m.tab);
      } else if (m.msg && !source && (!m.to || m.to === tabId)) deliver(m.msg, m.id);
      else if ("online" in m && !source) setOnline(m.online);
    };
    // A new tab asks the stream's tab whether it is connected, and for what happened since this page was made.
    channel.postMessage({ hello: true, since: lastId, tab: tabId });
  }
  if (channel && navigator.locks) {
    // Held until this tab closes; then the next tab in line takes over, resuming from the last id it saw.
    navigator.locks.request("kapwa-live", () => new Promise(() => connect()));
  } else {
    connect();
  }

  // --------------------------------------------------------------------------------------- presence

  if (presenceBox) {
    configured.then(() => {
      ping("viewing");
      setInterval(() => ping(pingState), Math.max(5, cfg.ping_seconds || 20) * 1000);
    });
    document.addEventListener("input", (e) => { if (e.target && e.target.id === "reply-body") composerState(); });
    document.addEventListener("change", (e) => { if (e.target && e.target.id === "reply-body") composerState(); });
    window.addEventListener("pagehide", () => ping("left", true));
    window.addEventListener("pageshow", (e) => { if (e.persisted) ping(pingState); });
  }
  if (banner) {
    configured.then(() => {
      for (const [cid, people] of Object.entries(cfg.present || {})) rowPresence(cid, people);
    });
  }
})();
