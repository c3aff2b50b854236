// Kapwa inbox: keyboard shortcuts, the help overlay, row selection and quick actions.
// Inbox: j/k move, Enter/o open, r reply, e resolve, a assign, x select, ? help.
// Conversation page: r reply, e resolve, a assign, ? help. Everything also works with the mouse and
// without JavaScript (the bulk form posts normally).
(() => {
  "use strict";
  const table = document.querySelector("table.inbox");
  const rows = () => Array.from(document.querySelectorAll("table.inbox tbody tr[data-conversation-id]"));
  const help = document.getElementById("shortcuts-help");
  const assignDialog = document.getElementById("assign-dialog");
  const statusBox = document.getElementById("inbox-status");
  let current = -1;

  const csrf = () => {
    const input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  };
  const say = (text) => { if (statusBox) statusBox.textContent = text; };
  // Translated messages come from the page: data-* attributes with "{n}" / "{name}" placeholders.
  const msg = (name, values = {}) => {
    const template = (statusBox && statusBox.dataset[name]) || name;
    return Object.entries(values).reduce((s, [k, v]) => s.replace(`{${k}}`, v), template);
  };
  const typing = (el) => {
    const tag = (el && el.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || (el && el.isContentEditable);
  };
  const openDialog = (dialog) => {
    if (!dialog || dialog.open) return;
    if (typeof dialog.showModal === "function") dialog.showModal(); else dialog.setAttribute("open", "");
  };

  // ------------------------------------------------------------------------------------------ inbox rows

  function select(index, focus = true) {
    const list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((tr, i) => {
      tr.classList.toggle("current", i === current);
      if (i === current) tr.setAttribute("aria-current", "true"); else tr.removeAttribute("aria-current");
    });
    const tr = list[current];
    const link = tr.querySelector("a.conv-link");
    if (focus && link) link.focus({ preventScroll: true });
    tr.scrollIntoView({ block: "nearest" });
  }
  const currentRow = () => (current >= 0 ? rows()[current] : null);
  const checkedIds = () => Array.from(document.querySelectorAll("table.inbox tbody input[name=ids]:checked"))
    .map((box) => box.value);
  function targetIds() {
    const ids = checkedIds();
    if (ids.length) return ids;
    const tr = currentRow();
    return tr ? [tr.dataset.conversationId] : [];
  }
  function updateCount() {
    const box = document.getElementById("bulk-count");
    if (!box) return;
    const n = checkedIds().length;
    box.textContent = n ? msg("selected", { n }) : box.dataset.empty || box.textContent;
  }
  const bulkCount = document.getElementById("bulk-count");
  if (bulkCount) bulkCount.dataset.empty = bulkCount.textContent;

  async function bulk(action, fields) {
    if (!document.getElementById("bulk-form")) return null;  // analysts read; they cannot change conversations
    const ids = targetIds();
    if (!ids.length) { say(msg("needSelection")); return null; }
    const body = new FormData();
    body.append("action", action);
    ids.forEach((id) => body.append("ids", id));
    Object.entries(fields || {}).forEach(([k, v]) => body.append(k, v));
    const response = await fetch("/inbox/bulk", {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { say(data.detail || `Error ${response.status}`); return null; }
    return { ids, data };
  }

  function setCell(id, field, html, text) {
    const cell = document.querySelector(`tr[data-conversation-id="${id}"] [data-field="${field}"]`);
    if (!cell) return;
    if (html) { cell.replaceChildren(html); } else { cell.textContent = text; }
  }
  function statusSpan(status) {
    const labels = table ? JSON.parse(table.dataset.statusLabels || "{}") : {};
    const span = document.createElement("span");
    span.className = `status status-${status}`;
    span.textContent = labels[status] || status;
    return span;
  }

  async function resolve() {
    const done = await bulk("resolve");
    if (!done) return;
    done.ids.forEach((id) => setCell(id, "status", statusSpan("resolved")));
    say(msg("resolved", { n: done.data.changed.length }));
    if (checkedIds().length === 0 && current >= 0) select(current + 1);
  }

  async function assign(value, name) {
    const done = await bulk("assign", { assignee: value });
    if (assignDialog && assignDialog.open) assignDialog.close();
    if (!done) return;
    const shown = done.data.assignee_name || name || (table && table.dataset.unassigned) || "—";
    done.ids.forEach((id) => setCell(id, "assignee", null, value === "none" ? "—" : shown));
    say(msg("assigned", { n: done.data.changed.length, name: shown }));
    const tr = currentRow();
    if (tr) select(current);
  }

  // ------------------------------------------------------------------------------------ assign picker

  if (assignDialog) {
    const filter = assignDialog.querySelector("#assign-filter");
    const options = () => Array.from(assignDialog.querySelectorAll("button[data-assignee]"));
    const visible = () => options().filter((b) => !b.closest("li").hidden);
    filter.addEventListener("input", () => {
      const q = filter.value.trim().toLowerCase();
      options().forEach((b) => { b.closest("li").hidden = q !== "" && !b.textContent.toLowerCase().includes(q); });
    });
    filter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = visible()[0];
        if (first) first.click();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        const first = visible()[0];
        if (first) first.focus();
      }
    });
    assignDialog.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const list = visible();
      const i = list.indexOf(document.activeElement);
      if (i < 0) return;
      event.preventDefault();
      const next = list[i + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) next.focus(); else if (event.key === "ArrowUp") filter.focus();
    });
    assignDialog.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-assignee]");
      if (button) assign(button.dataset.assignee, button.dataset.name);
    });
    assignDialog.addEventListener("close", () => {
      filter.value = "";
      options().forEach((b) => { b.closest("li").hidden = false; });
    });
  }

  function openAssign() {
    if (!assignDialog) return;
    if (!targetIds().length) { say(msg("needSelection")); return; }
    openDialog(assignDialog);
    assignDialog.querySelector("#assign-filter").focus();
  }

  // ------------------------------------------------------------------------------------- selection

  if (table) {
    const all = document.getElementById("select-all");
    if (all) all.addEventListener("change", () => {
      rows().forEach((tr) => { const box = tr.querySelector("input[name=ids]"); if (box) box.checked = all.checked; });
      updateCount();
    });
    table.addEventListener("change", (event) => { if (event.target.name === "ids") updateCount(); });
    table.addEventListener("focusin", (event) => {
      const tr = event.target.closest("tr[data-conversation-id]");
      if (tr) select(rows().indexOf(tr), false);
    });
  }

  // ---------------------------------------------------------------------------- conversation page

  const page = document.getElementById("cst") || document.getElementById("reply-body") ? document : null;
  function focusReply() {
    const reply = document.getElementById("reply-body");
    if (!reply) return false;
    reply.scrollIntoView({ block: "center" });
    reply.focus();
    return true;
  }
  if (!table && location.hash === "#reply-body") window.addEventListener("load", focusReply);

  // ------------------------------------------------------------------------------------- the keys

  document.querySelectorAll("[data-open-shortcuts]").forEach((b) => b.addEventListener("click", () => openDialog(help)));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const key = event.key;
    if (key === "?") { event.preventDefault(); openDialog(help); return; }
    if (table) {
      const tr = currentRow();
      const link = tr && tr.querySelector("a.conv-link");
      switch (key) {
        case "j": event.preventDefault(); select(current + 1); return;
        case "k": event.preventDefault(); select(current < 0 ? 0 : current - 1); return;
        case "o":
          if (link) { event.preventDefault(); location.href = link.href; }
          return;
        case "Enter":
          if (link && !event.target.closest("a, button, summary")) { event.preventDefault(); location.href = link.href; }
          return;
        case "r":
          if (link) { event.preventDefault(); location.href = `${link.href}#reply-body`; }
          return;
        case "e": event.preventDefault(); resolve(); return;
        case "a": event.preventDefault(); openAssign(); return;
        case "x":
          if (tr) {
            const box = tr.querySelector("input[name=ids]");
            if (box) { event.preventDefault(); box.checked = !box.checked; updateCount(); }
          }
          return;
        default: return;
      }
    }
    if (!page) return;
    if (key === "r" && focusReply()) { event.preventDefault(); return; }
    if (key === "a") {
      const picker = document.getElementById("cas");
      if (picker) { event.preventDefault(); picker.focus(); }
      return;
    }
    if (key === "e") {
      const status = document.getElementById("cst");
      if (status && status.form) {
        event.preventDefault();
        status.value = "resolved";
        status.form.requestSubmit();
      }
    }
  });
})();
