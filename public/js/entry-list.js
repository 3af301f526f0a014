// Add and Delete Phone Numbers, Manual tab (views/manage/_entry-list.eta). The list is built
// by the server; the only thing htmx cannot say is "Enter in the number field adds it to the
// list" (the field is a textarea so that a pasted list keeps its lines without JavaScript).
// Shift+Enter still starts a new line.
document.addEventListener("keydown", (event) => {
  const field = event.target.closest?.("textarea[data-enter-adds]");
  if (!field || event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  document.getElementById("add-to-list")?.click();
});
