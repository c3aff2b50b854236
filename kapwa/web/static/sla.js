// Service-level settings: editing a source's targets while it follows the workspace default (or has no
// targets) switches it to "use these targets", so what was typed is what gets saved.
document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form.sla-form");
  if (!form || event.target.name === "mode" || event.target.name === "csrf_token") return;
  const own = form.querySelector("input[name=mode][value=own]");
  if (own && !own.checked) own.checked = true;
});
