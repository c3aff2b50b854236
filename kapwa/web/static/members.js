// Member profile: "Show older activity" loads the next page of the timeline in place (the link works
// without JavaScript too), and forms with data-confirm ask first.
(function () {
  "use strict";
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a.tl-more-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    const url = link.dataset.fragment;
    if (!url) return;
    event.preventDefault();
    const item = link.closest("li");
    const list = item.parentElement;
    link.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      const html = await response.text();
      const template = document.createElement("template");
      template.innerHTML = html; // our own server-rendered, escaped fragment; scripts in it never run
      const first = template.content.querySelector("li.tl-item");
      item.remove();
      list.append(template.content);
      if (first) {
        const id = "tl-page-" + Date.now();
        first.id = id;
        first.tabIndex = -1;
        first.focus({ preventScroll: false });
      }
    } catch (error) {
      window.location.href = link.href; // fall back to the full page
    }
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
// A member's picture that does not load (gone, offline, blocked) becomes their initials.
function kapwaAvatarFallback(img) {
  if (!(img instanceof HTMLImageElement) || !img.classList.contains("avatar") || !img.dataset.initials) return;
  const span = document.createElement("span");
  span.className = "avatar initials";
  span.setAttribute("aria-hidden", "true");
  span.textContent = img.dataset.initials;
  img.replaceWith(span);
}
document.addEventListener("error", (event) => kapwaAvatarFallback(event.target), true);
document.querySelectorAll("img.avatar").forEach((img) => {
  if (img.complete && img.naturalWidth === 0) kapwaAvatarFallback(img); // failed before this script ran
});
