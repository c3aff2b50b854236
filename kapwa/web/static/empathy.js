// Kapwa empathy check (kapwa/inbox/empathy.py) and suggested answers (kapwa/inbox/suggest.py).
// While a reply is typed in #reply-body, the draft is checked (debounced) against the member it answers and
// the findings are listed under it, each with a "Use this" button that applies the suggestion. Sending a
// reply that still has warnings asks once: "Send anyway?". "Insert" on a suggested answer puts it into the
// reply. Every text from the server or a member is written with textContent, never as HTML.
(() => {
  "use strict";
  const form = document.getElementById("reply-form");
  const body = document.getElementById("reply-body");
  const box = document.getElementById("empathy-findings");
  const DEBOUNCE_MS = 400;

  // ------------------------------------------------------------------------------ editing the draft

  function replaceRange(from, to, text) {
    body.focus();
    body.setSelectionRange(from, to);
    // execCommand keeps the change on the undo stack (Ctrl+Z); setRangeText is the fallback.
    let done = false;
    try { done = document.execCommand("insertText", false, text); } catch (e) { done = false; }
    if (!done || body.value.slice(from, from + text.length) !== text) {
      body.setRangeText(text, from, to, "end");
    }
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insertAnswer(text) {
    if (!body) return;
    const value = body.value;
    if (!value.trim()) {
      replaceRange(0, value.length, text);
    } else {
      const at = body.selectionEnd ?? value.length;
      const before = value.slice(0, at);
      const sep = before && !/\n\s*$/.test(before) ? "\n\n" : "";
      replaceRange(at, body.selectionEnd ?? at, sep + text);
    }
    body.focus();
  }

  // Suggested answers: "Insert" buttons (shown only where there is a reply box to insert into).
  const insertButtons = document.querySelectorAll("button.insert-answer");
  for (const button of insertButtons) {
    if (!body) continue;
    button.hidden = false;
    button.addEventListener("click", () => insertAnswer(button.dataset.answer || ""));
  }

  if (!form || !body || !box || !box.dataset.checkUrl || !window.fetch) return;

  const csrf = () => (form.querySelector("input[name=csrf_token]") || {}).value || "";
  let labels = {};
  const L = (key, fallback) => labels[key] || fallback;

  // Code points (the server's offsets) to UTF-16 indexes (the textarea's).
  function unitIndex(text, cp) {
    let i = 0;
    for (let n = 0; n < cp && i < text.length; n++) i += text.codePointAt(i) > 0xffff ? 2 : 1;
    return i;
  }

  function spanOf(finding, text) {
    if (!finding.span) return null;
    let from = unitIndex(text, finding.span[0]);
    let to = unitIndex(text, finding.span[1]);
    const phrase = (finding.phrase || "").trim();
    if (phrase && text.slice(from, to).trim() !== phrase && !text.slice(from, to).startsWith(phrase)) {
      const at = text.indexOf(phrase);
      if (at < 0) return null;
      from = at;
      to = at + phrase.length;
    }
    return [from, to];
  }

  function apply(finding) {
    const text = body.value;
    const insert = finding.replacement ?? finding.suggestion ?? "";
    if (finding.fix === "replace") {
      const range = spanOf(finding, text);
      if (range) replaceRange(range[0], range[1], insert);
    } else if (finding.fix === "prepend") {
      replaceRange(0, 0, insert);
    } else if (finding.fix === "append") {
      const end = text.replace(/\s+$/, "").length;
      replaceRange(end, text.length, insert);
    } else if (finding.fix === "replace_draft") {
      replaceRange(0, text.length, insert);
    }
    body.focus();
  }

  // ------------------------------------------------------------------------------------- rendering

  const status = document.createElement("p");
  status.className = "empathy-status small";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const list = document.createElement("ul");
  list.className = "empathy-list";
  const confirmBox = document.createElement("div");
  confirmBox.className = "empathy-confirm";
  confirmBox.setAttribute("role", "alertdialog");
  confirmBox.setAttribute("aria-labelledby", "empathy-confirm-text");
  confirmBox.hidden = true;
  box.classList.add("empathy");
  box.append(status, list, confirmBox);

  function excerpt(text, range, phrase) {
    // "…the words around [the phrase] in the draft…", the phrase in <mark>.
    if (phrase && text.slice(range[0]).startsWith(phrase)) range = [range[0], range[0] + phrase.length];
    const q = document.createElement("q");
    q.className = "empathy-excerpt";
    const start = Math.max(0, range[0] - 30);
    const end = Math.min(text.length, range[1] + 30);
    q.append((start > 0 ? "…" : "") + text.slice(start, range[0]));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(range[0], range[1]);
    q.append(mark, text.slice(range[1], end) + (end < text.length ? "…" : ""));
    return q;
  }

  function render(report, text) {
    list.replaceChildren();
    const findings = report.findings || [];
    const warnings = findings.filter((f) => f.severity === "warn").length;
    box.dataset.warnings = String(warnings);
    if (!text.trim()) {
      status.textContent = "";
      return;
    }
    if (!findings.length) {
      status.textContent = L("all_good", "Reads kindly: no suggestions.");
    } else if (warnings) {
      status.textContent = L("summary_warn", "Before you send: {n} to look at.").replace("{n}", String(warnings));
    } else {
      status.textContent = L("summary_info", "Looks fine. A few tips:");
    }
    findings.forEach((f, i) => {
      const li = document.createElement("li");
      li.className = `empathy-finding severity-${f.severity}`;
      li.dataset.code = f.code;
      const head = document.createElement("p");
      const tag = document.createElement("strong");
      tag.className = "empathy-tag";
      tag.textContent = f.severity === "warn" ? L("warning", "Warning") : L("tip", "Tip");
      const message = document.createElement("span");
      message.id = `empathy-msg-${i}`;
      message.textContent = f.message;
      head.append(tag, " ", message);
      li.append(head);
      const range = spanOf(f, text);
      if (range) {
        const where = document.createElement("p");
        where.className = "small";
        const show = document.createElement("button");
        show.type = "button";
        show.className = "link";
        show.textContent = L("show", "Show in the reply");
        show.addEventListener("click", () => { body.focus(); body.setSelectionRange(range[0], range[1]); });
        where.append(excerpt(text, range, (f.phrase || "").trim()), " ", show);
        li.append(where);
      }
      const suggestion = document.createElement("p");
      suggestion.className = "empathy-suggestion";
      const label = document.createElement("span");
      label.className = "muted small";
      label.textContent = `${L("suggestion", "Suggestion")}: `;
      const said = document.createElement("span");
      said.className = "empathy-suggestion-text";
      said.textContent = f.suggestion;
      suggestion.append(label, said);
      if (f.fix) {
        const use = document.createElement("button");
        use.type = "button";
        use.className = "empathy-use";
        use.textContent = L("use_this", "Use this");
        use.setAttribute("aria-describedby", message.id);
        use.addEventListener("click", () => apply(f));
        suggestion.append(" ", use);
      }
      li.append(suggestion);
      list.append(li);
    });
  }

  // ------------------------------------------------------------------------------------- checking

  let timer = 0;
  let controller = null;
  let last = { text: null, target: null, report: null };

  const replyTo = () => (document.getElementById("reply-in-reply-to") || {}).value || "";

  async function check(text) {
    const target = replyTo();
    if (last.text === text && last.target === target && last.report) return last.report;
    if (controller) controller.abort();
    controller = new AbortController();
    const response = await fetch(box.dataset.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      signal: controller.signal,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(target ? { draft: text, in_reply_to_id: Number(target) } : { draft: text }),
    });
    if (!response.ok) throw new Error(`empathy check: HTTP ${response.status}`);
    const report = await response.json();
    if (report.labels) labels = report.labels;
    last = { text, target, report };
    return report;
  }

  function schedule() {
    clearTimeout(timer);
    hideConfirm();
    const text = body.value;
    if (!text.trim()) {
      if (controller) controller.abort();
      last = { text, target: replyTo(), report: { findings: [] } };
      render(last.report, text);
      return;
    }
    timer = setTimeout(() => {
      check(text)
        .then((report) => { if (body.value === text) render(report, text); return report; })
        .catch(() => null);
    }, DEBOUNCE_MS);
  }

  body.addEventListener("input", schedule);
  // "Reply to this" on another message changes whom the reply is for: check again.
  document.addEventListener("click", (event) => {
    if (event.target.closest(".reply-to-this, #reply-to-clear")) setTimeout(schedule, 0);
  });
  if (body.value.trim()) schedule();

  // ------------------------------------------------------------------------- "Send anyway?" on submit

  let confirmedText = null;
  let submitter = null;

  function hideConfirm() {
    confirmBox.hidden = true;
    confirmBox.replaceChildren();
  }

  function askToConfirm(report) {
    const warnings = (report.findings || []).filter((f) => f.severity === "warn").length;
    confirmBox.replaceChildren();
    const text = document.createElement("p");
    text.id = "empathy-confirm-text";
    text.textContent = L("confirm", "This reply still has {n} warning(s). Send anyway?").replace("{n}", String(warnings));
    const send = document.createElement("button");
    send.type = "button";
    send.className = "primary";
    send.id = "empathy-send-anyway";
    send.textContent = L("send_anyway", "Send anyway");
    const keep = document.createElement("button");
    keep.type = "button";
    keep.textContent = L("keep_editing", "Keep editing");
    send.addEventListener("click", () => {
      confirmedText = body.value;
      hideConfirm();
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
    });
    keep.addEventListener("click", () => { hideConfirm(); body.focus(); });
    confirmBox.append(text, send, " ", keep);
    confirmBox.hidden = false;
    send.focus();
  }

  // Capture phase on the document: this runs before any other submit handler of the form.
  document.addEventListener("submit", async (event) => {
    if (event.target !== form) return;
    const by = event.submitter;
    if (by && by.name === "action" && by.value !== "send") return; // saving a draft sends nothing
    const text = body.value;
    if (confirmedText !== null && confirmedText === text) { confirmedText = null; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    submitter = by || null;
    clearTimeout(timer);
    let report = null;
    try { report = await check(text); } catch (e) { report = null; }
    if (report) render(report, text);
    const warns = report ? (report.findings || []).filter((f) => f.severity === "warn").length : 0;
    if (!warns) {
      confirmedText = text;
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
      return;
    }
    askToConfirm(report);
  }, true);
})();
