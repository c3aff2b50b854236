// Kapwa reply composer: saved replies (picker and /shortcut + Tab), "reply to this message", a character
// count, the text kept when sending failed, and the reply cards refreshed while a reply is being sent.
// Everything works without JavaScript; this only makes it quicker.
(() => {
  const form = document.getElementById("reply-form");
  const body = document.getElementById("reply-body");
  const list = document.getElementById("reply-list");

  function insertAtCursor(text, start, end) {
    const from = start ?? body.selectionStart ?? body.value.length;
    const to = end ?? body.selectionEnd ?? from;
    body.setRangeText(text, from, to, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function useSaved(id, start, end) {
    const text = document.getElementById(`saved-text-${id}`);
    if (!text) return false;
    insertAtCursor(text.textContent, start, end);
    document.getElementById("reply-saved-id").value = id;
    return true;
  }

  if (form && body) {
    const count = document.getElementById("reply-count");
    const updateCount = () => { if (count) count.textContent = body.value.length; };
    body.addEventListener("input", updateCount);

    // Saved replies: the picker.
    const picker = document.getElementById("saved-picker");
    if (picker) {
      picker.addEventListener("click", (event) => {
        const button = event.target.closest("button.insert-saved");
        if (!button) return;
        useSaved(button.dataset.savedId);
        picker.open = false;
      });
      const filter = document.getElementById("saved-filter");
      filter?.addEventListener("input", () => {
        const words = filter.value.toLowerCase().trim().replace(/^\//, "");
        for (const li of picker.querySelectorAll("li[data-saved-id]")) {
          li.hidden = Boolean(words) && !li.textContent.toLowerCase().includes(words);
        }
      });
    }

    // Saved replies: "/shortcut" then Tab.
    body.addEventListener("keydown", (event) => {
      if (event.key !== "Tab" || event.shiftKey || body.selectionStart !== body.selectionEnd) return;
      const before = body.value.slice(0, body.selectionStart);
      const m = before.match(/(^|\s)\/([\w-]+)$/);
      if (!m) return;
      const items = [...document.querySelectorAll("li[data-shortcut]")].filter((li) => li.dataset.shortcut === m[2].toLowerCase());
      const item = items.find((li) => li.classList.contains("preferred")) || items[0];
      if (!item) return;
      event.preventDefault();
      useSaved(item.dataset.savedId, body.selectionStart - m[2].length - 1, body.selectionStart);
    });

    // "Reply" on a member's message: answer that one instead of the latest.
    const target = document.getElementById("reply-in-reply-to");
    const banner = document.getElementById("reply-to-banner");
    const excerpt = document.getElementById("reply-to-excerpt");
    const addReplyButton = (msg) => {
      const header = msg.querySelector("header");
      if (!header || header.querySelector(".reply-to-this")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link small reply-to-this";
      button.textContent = form.dataset.replyLabel || "Reply";
      button.addEventListener("click", () => {
        target.value = msg.id.slice(4);
        const words = (msg.querySelector(".body")?.textContent || "").trim().replace(/\s+/g, " ");
        excerpt.textContent = words.length > 90 ? `${words.slice(0, 89)}…` : words;
        banner.hidden = false;
        body.focus();
      });
      header.append(" ", button);
    };
    const inbound = "article.message.inbound[id^='msg-']";
    document.querySelectorAll(inbound).forEach(addReplyButton);
    const thread = document.querySelector(".thread");
    if (thread) {  // messages that arrive live get the button too
      new MutationObserver((changes) => {
        for (const change of changes) {
          for (const node of change.addedNodes) if (node.matches?.(inbound)) addReplyButton(node);
        }
      }).observe(thread, { childList: true });
    }
    document.getElementById("reply-to-clear")?.addEventListener("click", () => {
      target.value = "";
      banner.hidden = true;
      body.focus();
    });

    // Keep the text when the server sends the page back with an error.
    const key = `kapwa-reply:${form.getAttribute("action")}`;
    try {
      const kept = sessionStorage.getItem(key);
      if (kept && document.querySelector(".flash-error") && !body.value) body.value = kept;
      sessionStorage.removeItem(key);
      form.addEventListener("submit", () => sessionStorage.setItem(key, body.value));
    } catch (e) { /* storage disabled: nothing to keep */ }
    updateCount();
  }

  // While a reply is queued or being sent, refresh the cards; once it is sent, show it in the thread. A live
  // "reply.updated" for this conversation (a reviewer approved or rejected it) refreshes them too.
  if (list) {
    const inFlight = "[data-reply-status='approved'], [data-reply-status='sending']";
    let tries = 0;
    const refreshOnce = async () => {
      const wasBusy = [...list.querySelectorAll(inFlight)].map((el) => el.id);
      const response = await fetch(list.dataset.refreshUrl, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("reply-list");
      if (!fresh) return;
      const open = [...list.querySelectorAll("details[open]")].map((d) => d.closest("[id]")?.id + d.className);
      list.replaceChildren(...fresh.childNodes);
      for (const d of list.querySelectorAll("details")) if (open.includes(d.closest("[id]")?.id + d.className)) d.open = true;
      for (const id of wasBusy) {
        const card = document.getElementById(id);
        if (card?.dataset.replyStatus === "sent" && card.dataset.messageId) showInThread(card.dataset.messageId);
      }
    };
    // The live stream (live.js) adds the sent reply to the thread; without it, reload (unless a reply is being
    // written) so it shows there.
    const showInThread = (messageId) => setTimeout(() => {
      if (!document.getElementById(`msg-${messageId}`) && !(body && body.value.trim())) location.reload();
    }, 4000);
    let timer = null;
    const schedule = (ms) => { clearTimeout(timer); timer = setTimeout(poll, ms); };
    const poll = async () => {
      if (!list.querySelector(inFlight) || tries++ > 60) return;
      try { await refreshOnce(); } catch (e) { /* offline for a moment: try again */ }
      schedule(1500);
    };
    schedule(800);
    document.addEventListener("kapwa:live", (event) => {
      const msg = event.detail || {};
      if (msg.type !== "reply.updated" || `${(msg.data || {}).conversation_id}` !== list.dataset.conversationId) return;
      refreshOnce().then(() => { tries = 0; schedule(800); }).catch(() => {});
    });
  }
})();
