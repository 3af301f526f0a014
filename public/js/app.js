// Numberdesk's small glue: dialogs filled by htmx, menus, flash dismissal and field warnings.
// Everything here is an enhancement; without it every link and form still works as plain HTML.
(() => {
  const dialog = () => document.getElementById("dialog");

  // Remember what opened a dialog so focus can return there when it closes.
  let opener = null;
  // The menu a dialog was opened from: focus goes back to its button, even after the list
  // around it was refreshed (a saved number re-renders the rows; the server says so with
  // the numbers-changed event).
  let openerMenuId = null;
  let refocusMenuId = null;
  document.body.addEventListener("numbers-changed", () => {
    refocusMenuId = openerMenuId;
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (target?.id !== "dialog-body" || dialog().open) return;
    const menu = event.detail.elt.closest?.("details[data-menu]");
    if (menu) {
      menu.open = false;
      opener = menu.querySelector("summary");
      openerMenuId = menu.id || null;
    } else {
      opener = document.activeElement;
      openerMenuId = null;
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    // The refreshed list (not the dialog's own swap) brings the menu back to focus.
    if (refocusMenuId && target?.id !== "dialog-body") {
      const summary = document.querySelector(`#${CSS.escape(refocusMenuId)} summary`);
      // Its row is gone (the number was removed): the main content takes focus instead.
      if (summary) summary.focus();
      else document.getElementById("main")?.focus();
      refocusMenuId = null;
    }
    if (target?.id !== "dialog-body") return;
    const d = dialog();
    if (target.children.length === 0) return;
    if (!d.open) d.showModal();
    // The first invalid field wins, then the one marked autofocus, then anything focusable.
    const first = [
      "[aria-invalid='true']",
      "[autofocus]",
      "input:not([type=hidden]), select, textarea, button, a[href]",
    ]
      .map((selector) => target.querySelector(selector))
      .find(Boolean);
    if (first) first.focus();
  });

  // The server asks to close the dialog after a successful post (HX-Trigger: dialog-close).
  document.body.addEventListener("dialog-close", () => {
    const d = dialog();
    if (d.open) d.close();
  });

  document.addEventListener(
    "close",
    (event) => {
      if (event.target.id !== "dialog") return;
      document.getElementById("dialog-body").replaceChildren();
      // The opener may be gone (its row was deleted): then focus goes to the main content.
      if (opener && document.contains(opener)) opener.focus();
      else document.getElementById("main")?.focus();
      opener = null;
    },
    true,
  );

  // Links marked data-dialog open their page inside the dialog (the same URL is a full page
  // without JavaScript). One listener instead of hx-get/hx-target/hx-swap on every link.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-dialog]");
    if (!link || !window.htmx || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    window.htmx
      .ajax("GET", link.getAttribute("href"), {
        source: link,
        target: "#dialog-body",
        swap: "innerHTML",
      })
      .catch(() => {}); // No answer: htmx:sendError says so (below).
  });

  document.addEventListener("click", (event) => {
    const closer = event.target.closest("[data-close-dialog]");
    if (closer?.closest("dialog")) {
      event.preventDefault();
      closer.closest("dialog").close();
      return;
    }
    const dismiss = event.target.closest("[data-dismiss-flash]");
    if (dismiss) {
      // Without JavaScript the × is a link that reloads the page; here it just goes away.
      event.preventDefault();
      dismiss.closest(".flash").remove();
    }
    // A click outside an open menu closes it, as native menus do.
    for (const menu of document.querySelectorAll("details[data-menu][open]")) {
      if (!menu.contains(event.target)) menu.open = false;
    }
  });

  // Menus start as <details>; add arrow keys and Escape with focus back on the summary.
  document.addEventListener("keydown", (event) => {
    const menu = event.target.closest?.("details[data-menu]");
    if (!menu) return;
    const summary = menu.querySelector("summary");
    const items = [...menu.querySelectorAll(".menu-list a, .menu-list button")];
    const index = items.indexOf(document.activeElement);
    if (event.key === "Escape" && menu.open) {
      event.preventDefault();
      menu.open = false;
      summary.focus();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!menu.open) menu.open = true;
      items[(index + 1) % items.length]?.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (!menu.open) menu.open = true;
      items[(index - 1 + items.length) % items.length]?.focus();
    }
  });

  // The portal's own errors come as a flash (web/plugins/errors.ts). Only the browser knows when
  // no answer came, or an answer from something in between (a proxy's timeout or 502).
  const flashError = (message) => {
    const box = document.createElement("div");
    box.className = "flash flash-error";
    box.setAttribute("role", "alert");
    box.textContent = message;
    document.getElementById("flash")?.replaceChildren(box);
  };
  document.addEventListener("htmx:responseError", () =>
    flashError("The request failed. Try again, or contact Support."),
  );
  document.addEventListener("htmx:sendError", () =>
    flashError("The portal could not be reached. Check your connection and try again."),
  );
})();

// --- Upload tab (views/manage/_upload-form.eta) -------------------------------------------
// htmx posts the form by XHR (hx-encoding multipart/form-data) so the upload's progress can
// fill the <progress> bar; once the file is all sent the server reads and runs it, shown as
// "Processing…". Without JavaScript the form posts normally and the browser shows progress.
(() => {
  const uploadForm = (event) => event.target.closest?.("form[data-upload]") ?? null;
  const partsOf = (form) => {
    const box = form.querySelector("[data-upload-progress]");
    return {
      box,
      bar: box?.querySelector("progress"),
      status: box?.querySelector(".upload-status"),
      button: form.querySelector("button[type=submit]"),
    };
  };

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = uploadForm(event);
    if (!form) return;
    const { box, bar, status, button } = partsOf(form);
    if (!box || !bar) return;
    bar.max = 100;
    bar.value = 0;
    status.textContent = "Uploading…";
    box.hidden = false;
    if (button) button.disabled = true;
    form.dataset.uploadPhase = "uploading";
  });

  document.addEventListener("htmx:xhr:progress", (event) => {
    const form = uploadForm(event);
    // After the upload, the response's own download progress arrives too: not ours to show.
    if (form?.dataset.uploadPhase !== "uploading" || !event.detail.lengthComputable) return;
    const { bar, status } = partsOf(form);
    if (!bar) return;
    const percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    bar.value = percent;
    status.textContent = `Uploading… ${percent}%`;
    if (event.detail.loaded >= event.detail.total) {
      form.dataset.uploadPhase = "processing";
      bar.removeAttribute("value");
      status.textContent = "Processing… a large file takes a few seconds.";
      followRun(form);
    }
  });

  // While the server reads and runs the file, it reports how far it is; asked twice a second
  // until the form's own request is answered (the result page, or the form with a reason).
  const count = (n) => Number(n).toLocaleString("en-US");
  const RUN_WORDS = {
    reading: (p) => `Reading the file… ${count(p.done)} numbers so far`,
    waiting: (p) => `${count(p.total)} numbers read; waiting for another change to finish…`,
    running: (p, verb) => `${verb} ${count(p.done)} of ${count(p.total)} numbers…`,
    done: (p) => `Done: ${count(p.total)} numbers. Opening the result…`,
  };
  function followRun(form) {
    const url = form.dataset.progressUrl;
    if (!url) return;
    const verb = form.querySelector("input[name=confirm]") ? "Deleting" : "Adding";
    const ask = async () => {
      if (form.dataset.uploadPhase !== "processing" || !document.contains(form)) return;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        const progress = response.ok ? await response.json() : null;
        const words = progress && RUN_WORDS[progress.phase];
        if (words && form.dataset.uploadPhase === "processing") {
          const { bar, status } = partsOf(form);
          if (progress.phase === "running" && progress.total > 0) {
            bar.max = progress.total;
            bar.value = progress.done;
          } else if (progress.phase === "done") {
            bar.max = 1;
            bar.value = 1;
          }
          status.textContent = words(progress, verb);
        }
      } catch {
        // No news this time; the upload's own request still brings the result.
      }
      setTimeout(ask, 500);
    };
    setTimeout(ask, 300);
  }

  // A file the server cannot take (400 not a text file, 413 too large) comes back as this form
  // with the reason: shown in place, as a 422 is.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = uploadForm(event);
    const code = event.detail.xhr.status;
    if (!form || (code !== 400 && code !== 413)) return;
    if (!String(event.detail.serverResponse).includes("data-upload")) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = uploadForm(event);
    // Swapped for a new form, or leaving for the result page (HX-Redirect): nothing to reset.
    if (!form || !document.contains(form)) return;
    if (event.detail.xhr?.getResponseHeader("HX-Redirect")) return;
    // Refused without a form (403, 500, no connection): the same form can be sent again.
    const { box, button } = partsOf(form);
    if (box) box.hidden = true;
    if (button) button.disabled = false;
    delete form.dataset.uploadPhase;
  });
})();
