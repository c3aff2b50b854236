// @mention autocomplete for any <textarea data-mentions='[{"handle": "bea", "name": "Bea Mendoza"}, …]'>
// (build the list with kapwa.team.notifications.mention_choices). Typing "@" and a few letters lists matching
// teammates; ↑/↓ choose, Enter or Tab inserts "@handle ", Escape closes. Without JavaScript, typing the
// handle by hand works the same.
(function () {
  "use strict";
  const fold = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  let seq = 0;

  function attach(area) {
    let people;
    try { people = JSON.parse(area.dataset.mentions || "[]"); } catch (e) { return; }
    if (!people.length) return;
    const list = document.createElement("ul");
    list.className = "mention-list";
    list.id = "mention-list-" + (++seq);
    list.setAttribute("role", "listbox");
    list.hidden = true;
    area.after(list);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
    let matches = [], active = 0, start = -1;

    const token = () => {
      const upto = area.value.slice(0, area.selectionStart);
      const m = /(^|[\s(,;])@([^\s@]{0,30})$/.exec(upto);
      return m ? { at: upto.length - m[2].length - 1, text: fold(m[2]) } : null;
    };
    const close = () => { list.hidden = true; area.removeAttribute("aria-activedescendant"); matches = []; };
    const render = () => {
      list.replaceChildren();
      matches.forEach((p, i) => {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === active));
        li.textContent = p.name + " (@" + p.handle + ")";
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
        list.append(li);
      });
      list.hidden = !matches.length;
      if (matches.length) area.setAttribute("aria-activedescendant", list.id + "-" + active);
    };
    const choose = (i) => {
      const p = matches[i];
      if (!p || start < 0) return;
      const before = area.value.slice(0, start), after = area.value.slice(area.selectionStart);
      area.value = before + "@" + p.handle + " " + after;
      const caret = before.length + p.handle.length + 2;
      area.setSelectionRange(caret, caret);
      close();
      area.focus();
    };
    area.addEventListener("input", () => {
      const t = token();
      if (!t) return close();
      start = t.at;
      matches = people.filter((p) => fold(p.name).split(/\s+/).some((w) => w.startsWith(t.text))
        || fold(p.handle).startsWith(t.text)).slice(0, 6);
      active = 0;
      render();
    });
    area.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        render();
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        choose(active);
      } else if (e.key === "Escape") {
        e.preventDefault();
        close();
      }
    });
    area.addEventListener("blur", () => setTimeout(close, 150));
  }

  document.querySelectorAll("textarea[data-mentions]").forEach(attach);
})();
