// Kapwa: small progressive enhancements. Everything works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.requestSubmit();
});
// "/" focuses the page's search box, as in most inboxes.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
  const search = document.querySelector("form[role=search] input[type=search], form[role=search] input");
  if (search) { event.preventDefault(); search.focus(); }
});
