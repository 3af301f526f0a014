// What HTML and htmx cannot do: the dialog (open, focus, close), menu keys, the flash's ×, how
// much of a file the browser has sent, requests nobody answered. Without it, all still works.
(() => {
  const $ = (id) => document.getElementById(id);
  const focusMain = () => $("main")?.focus();
  const FOCUSABLE = "input:not([type=hidden]), select, textarea, button, a[href]";

  // Focus goes back to what opened the dialog when it closes: a menu's button even after its
  // list was refreshed (the server's numbers-changed event), the main content if it is gone.
  let opener = null;
  let openerMenuId = null;
  let refocusMenuId = null;
  document.body.addEventListener("numbers-changed", () => {
    refocusMenuId = openerMenuId;
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.target?.id !== "dialog-body" || $("dialog").open) return;
    const menu = event.detail.elt.closest?.("details[data-menu]");
    if (menu) menu.open = false;
    opener = menu ? menu.querySelector("summary") : document.activeElement;
    openerMenuId = menu?.id || null;
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target?.id !== "dialog-body") {
      if (!refocusMenuId) return;
      const summary = document.querySelector(`#${CSS.escape(refocusMenuId)} summary`);
      if (summary) summary.focus();
      else focusMain();
      refocusMenuId = null;
    } else if (target.children.length > 0) {
      if (!$("dialog").open) $("dialog").showModal();
      // The first invalid field wins, then the one marked autofocus, then anything focusable.
      const find = (selector) => target.querySelector(selector);
      (find("[aria-invalid='true']") ?? find("[autofocus]") ?? find(FOCUSABLE))?.focus();
    }
  });

  // The server closes the dialog after a successful post (HX-Trigger: dialog-close).
  document.body.addEventListener("dialog-close", () => $("dialog").open && $("dialog").close());
  $("dialog")?.addEventListener("close", () => {
    $("dialog-body").replaceChildren();
    if (opener && document.contains(opener)) opener.focus();
    else focusMain();
    opener = null;
  });

  document.addEventListener("click", (event) => {
    // A link marked data-dialog opens its page in the dialog (a full page without JavaScript).
    const link = event.target.closest("a[data-dialog]");
    if (link && window.htmx && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      const into = { source: link, target: "#dialog-body", swap: "innerHTML" };
      window.htmx.ajax("GET", link.getAttribute("href"), into).catch(() => {}); // sendError says
    }
    // Cancel closes the dialog, × the flash: without JavaScript both are links to a page.
    const closer = event.target.closest("dialog [data-close-dialog], .flash [data-dismiss-flash]");
    if (closer) {
      event.preventDefault();
      const dialog = closer.closest("dialog");
      if (dialog) dialog.close();
      else closer.closest(".flash").remove();
    }
    // A click outside an open menu closes it, as native menus do.
    for (const menu of document.querySelectorAll("details[data-menu][open]")) {
      if (!menu.contains(event.target)) menu.open = false;
    }
  });

  // Menus are <details>; the arrow keys move through the items, Escape goes back to the button.
  document.addEventListener("keydown", (event) => {
    const menu = event.target.closest?.("details[data-menu]");
    if (!menu) return;
    const items = [...menu.querySelectorAll(".menu-list a, .menu-list button")];
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (event.key === "Escape" && menu.open) {
      event.preventDefault();
      menu.open = false;
      menu.querySelector("summary").focus();
    } else if (step) {
      event.preventDefault();
      menu.open = true;
      const index = items.indexOf(document.activeElement);
      items[(index + step + items.length) % items.length]?.focus();
    }
  });

  // The Upload tab: only the browser knows how much of the file it has sent; then the server's
  // poller tells how far the run is (views/manage/_upload-progress.eta).
  document.addEventListener("htmx:beforeSend", (event) => {
    const form = event.detail.elt;
    if (!form.matches?.("form[data-upload]")) return;
    event.detail.xhr?.upload.addEventListener("progress", ({ lengthComputable, loaded, total }) => {
      const bar = form.querySelector("#upload-bar progress");
      if (!lengthComputable || !bar) return;
      const percent = Math.floor((loaded / total) * 100);
      if (percent < 100) bar.value = percent;
      else bar.removeAttribute("value");
      $("upload-status").textContent =
        percent < 100 ? `Uploading… ${percent}%` : "Processing… a large file takes a few seconds.";
    });
  });

  // The portal's own errors come as a flash (web/plugins/errors.ts). Only the browser knows when
  // no answer came, or one from something in between (a proxy's timeout or 502).
  const FAILED = {
    "htmx:responseError": "The request failed. Try again, or contact Support.",
    "htmx:sendError": "The portal could not be reached. Check your connection and try again.",
  };
  for (const [name, message] of Object.entries(FAILED)) {
    document.addEventListener(name, () => {
      $("flash").innerHTML = `<div class="flash flash-error" role="alert">${message}</div>`;
    });
  }
})();
