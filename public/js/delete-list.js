// Delete Phone Numbers, Manual tab (product.md §4): one number at a time with the live check,
// pasted lists, a Delete List whose entries each have a ✕, and a <dialog> to confirm.
// Without this script the page is a textarea form followed by a confirmation page. With it,
// the list is written back into that same (hidden) textarea and Ok posts confirm=yes, so the
// server gets exactly the post it gets without JavaScript and judges every number itself.
(() => {
  const $ = (id) => document.getElementById(id);
  const picker = $("delete-picker");
  const form = $("delete-form");
  const textField = $("delete-text-field");
  const textarea = $("field-numbers");
  const input = $("field-number");
  const addButton = $("add-to-list");
  const check = $("number-check");
  const pickerError = $("picker-error");
  const list = $("delete-list");
  const countLabel = $("delete-list-count");
  const emptyNote = $("delete-list-empty");
  const status = $("delete-list-status");
  const template = $("delete-entry-template");
  const deleteButton = $("delete-submit");
  const confirmDialog = $("delete-confirm");
  const confirmCount = $("delete-confirm-count");
  const okButton = $("delete-confirm-ok");
  const parts = [picker, form, textField, textarea, input, addButton, check, pickerError, list];
  const more = [countLabel, emptyNote, status, template, deleteButton, confirmCount, okButton];
  // Markup this script does not know, or a browser without <dialog>: the plain form stays.
  if (![...parts, ...more].every(Boolean) || typeof confirmDialog?.showModal !== "function") {
    return;
  }

  // The server's own split (entriesFromText): a line, comma or semicolon ends a number.
  const SEPARATORS = /[\r\n,;]+/;
  // Numbers checked at once when a long list is pasted, so the portal is not flooded.
  const PARALLEL_CHECKS = 4;

  const plural = (n, word) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  const split = (text) =>
    text
      .split(SEPARATORS)
      .map((part) => part.trim())
      .filter((part) => part !== "");

  /**
   * What "the same number" means before the server has read it: the same digits (full-width
   * ones too), and a + or not. The server's E.164 replaces it once known, so (213) 373-4253 and
   * +1 213 373 4253 are caught as well; the run itself flags any repeat as DUPLICATE_IN_LIST.
   */
  const digitsOf = (text) => {
    const normal = text.normalize("NFKC");
    const digits = normal.replace(/\D/g, "");
    return digits === "" ? "" : `${normal.startsWith("+") ? "+" : ""}${digits}`;
  };

  // In list order; each holds its text, digits, the server's verdict (pending, valid, invalid)
  // with e164 and message, its <li>, and what that <li> shows now (to skip unchanged ones).
  let entries = [];

  const announce = (message) => {
    // Emptied first, so the same message twice in a row is read twice.
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = message;
    }, 50);
  };
  const showError = (message) => {
    pickerError.textContent = message;
    pickerError.hidden = false;
    input.setAttribute("aria-invalid", "true");
  };
  const clearError = () => {
    pickerError.hidden = true;
    pickerError.textContent = "";
    input.removeAttribute("aria-invalid");
  };

  /** The list is what gets posted: one number per line in the form's own field. */
  const mirror = () => {
    textarea.value = entries.map((entry) => entry.text).join("\n");
  };

  /** Flags repeats and shows each entry's verdict; only changed entries touch the DOM. */
  const refresh = () => {
    const firstByE164 = new Map();
    const firstByDigits = new Map();
    entries.forEach((entry, index) => {
      const earlier =
        (entry.e164 && firstByE164.get(entry.e164)) ||
        (entry.digits && firstByDigits.get(entry.digits)) ||
        null;
      if (entry.e164 && !firstByE164.has(entry.e164)) firstByE164.set(entry.e164, index + 1);
      if (entry.digits && !firstByDigits.has(entry.digits)) {
        firstByDigits.set(entry.digits, index + 1);
      }
      const kind = earlier ? "duplicate" : entry.verdict;
      const note =
        kind === "duplicate"
          ? `Already in the list (entry ${earlier}).`
          : kind === "invalid" || kind === "valid"
            ? entry.message
            : "";
      const shown = `${kind}|${note}`;
      if (entry.shown === shown) return;
      entry.shown = shown;
      const noteElement = entry.item.querySelector(".entry-note");
      entry.item.dataset.verdict = kind;
      if (kind === "valid") {
        const mark = document.createElement("span");
        mark.className = "check-mark";
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = "✓";
        noteElement.replaceChildren(mark, ` ${note}`);
      } else {
        noteElement.textContent = note;
      }
    });
    const count = entries.length;
    countLabel.textContent = `(${count.toLocaleString("en-US")})`;
    emptyNote.hidden = count > 0;
  };

  // Verdicts arrive one by one; they are painted together, once per frame.
  let refreshPending = false;
  const refreshSoon = () => {
    if (refreshPending) return;
    refreshPending = true;
    window.requestAnimationFrame(() => {
      refreshPending = false;
      refresh();
    });
  };

  // Each entry is read by the server's validator (GET /numbers/check as JSON), the same one
  // the run uses, so the list shows which numbers will be rejected as invalid.
  const queue = [];
  let running = 0;
  const checkEntry = async (entry) => {
    try {
      const response = await fetch(`/numbers/check?number=${encodeURIComponent(entry.text)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const result = await response.json();
      if (entry.removed) return;
      entry.verdict = result.valid ? "valid" : "invalid";
      entry.e164 = result.valid ? result.e164 : null;
      entry.message = result.valid ? result.e164 : result.message;
      refreshSoon();
    } catch {
      // Offline or signed out: the entry stays unchecked, and the run still checks it.
    }
  };
  const pump = () => {
    while (running < PARALLEL_CHECKS && queue.length > 0) {
      const entry = queue.shift();
      if (entry.removed) continue;
      running += 1;
      checkEntry(entry).finally(() => {
        running -= 1;
        pump();
      });
    }
  };

  const makeEntry = (text) => {
    const item = template.content.firstElementChild.cloneNode(true);
    item.querySelector(".entry-number").textContent = text;
    item.querySelector(".entry-remove").setAttribute("aria-label", `Remove ${text}`);
    return {
      text,
      digits: digitsOf(text),
      e164: null,
      verdict: "pending",
      message: "",
      removed: false,
      item,
      shown: "",
    };
  };

  /** Appends the numbers in `text`; returns the new entries. */
  const addNumbers = (text) => {
    const added = split(text).map(makeEntry);
    if (added.length === 0) return added;
    entries = entries.concat(added);
    list.append(...added.map((entry) => entry.item));
    queue.push(...added);
    pump();
    mirror();
    refresh();
    return added;
  };

  /** Empties the field and its verdict; the input event lets htmx settle on "nothing typed". */
  const resetField = () => {
    input.value = "";
    check.replaceChildren();
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const addFromField = (text) => {
    const added = addNumbers(text);
    if (added.length === 0) {
      showError("Type a phone number first.");
      input.focus();
      return;
    }
    clearError();
    resetField();
    input.focus();
    const repeats = added.filter((entry) => entry.item.dataset.verdict === "duplicate").length;
    const what = added.length === 1 ? added[0].text : plural(added.length, "number");
    announce(
      `Added ${what}${repeats > 0 ? ` (${repeats} already in the list)` : ""}. ` +
        `${plural(entries.length, "number")} in the list.`,
    );
  };

  const removeEntry = (entry) => {
    const index = entries.indexOf(entry);
    if (index < 0) return;
    entry.removed = true;
    entries.splice(index, 1);
    entry.item.remove();
    mirror();
    refresh();
    // Focus stays in the list: the entry that took its place, else the one before, else the field.
    const next = entries[index] ?? entries[index - 1];
    if (next) next.item.querySelector(".entry-remove").focus();
    else input.focus();
    announce(`Removed ${entry.text}. ${plural(entries.length, "number")} in the list.`);
  };

  addButton.addEventListener("click", () => addFromField(input.value));

  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    event.preventDefault();
    addFromField(input.value);
  });

  input.addEventListener("input", () => {
    if (!pickerError.hidden && input.value !== "") clearError();
  });

  // Several numbers pasted at once go straight to the list; a single one is pasted into the
  // field as usual, to be checked as it stands.
  input.addEventListener("paste", (event) => {
    const pasted = event.clipboardData?.getData("text") ?? "";
    if (split(pasted).length < 2) return;
    event.preventDefault();
    const { value, selectionStart, selectionEnd } = input;
    const start = selectionStart ?? value.length;
    addFromField(value.slice(0, start) + pasted + value.slice(selectionEnd ?? start));
  });

  list.addEventListener("click", (event) => {
    const button = event.target.closest(".entry-remove");
    if (!button) return;
    const entry = entries.find((candidate) => candidate.item.contains(button));
    if (entry) removeEntry(entry);
  });

  // "Delete…" asks in the dialog; only its Ok button lets the form go (with confirm=yes).
  let submitting = false;
  form.addEventListener("submit", (event) => {
    if (event.submitter === okButton) {
      // One run per Ok, even if it is clicked twice before the next page arrives.
      if (submitting) event.preventDefault();
      submitting = true;
      return;
    }
    event.preventDefault();
    // A number typed but not added yet would be left out silently: it joins the list first.
    if (input.value.trim() !== "") addFromField(input.value);
    if (entries.length === 0) {
      showError("Add at least one phone number to the list.");
      input.focus();
      return;
    }
    confirmCount.textContent = plural(entries.length, "number");
    confirmDialog.showModal();
  });
  confirmDialog.addEventListener("close", () => deleteButton.focus());
  // Back from the job page (bfcache): the page is as it was, and Ok works again.
  window.addEventListener("pageshow", () => {
    submitting = false;
  });

  // Switch from the textarea to the list. Numbers already in the textarea (the server sent the
  // form back with an error, or the browser restored it) become the list.
  picker.hidden = false;
  textField.hidden = true;
  textarea.removeAttribute("autofocus");
  if ($("error-numbers")) {
    input.setAttribute(
      "aria-describedby",
      `${input.getAttribute("aria-describedby")} error-numbers`,
    );
  }
  addNumbers(textarea.value);
  refresh();
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused === textarea) input.focus();
})();
