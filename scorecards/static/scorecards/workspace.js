// The grading workspace (scorecards/workspace/workspace.html): keyboard grading, evidence from
// the conversation, the call player. Every rating also works without this file (the form posts
// and the server redirects back); this only makes it fast. Loaded with the page's CSP nonce.
(() => {
  "use strict";

  const ROW = ".ws-criterion[data-criterion]";
  const RADIO = "input[type=radio]:not(:disabled)";
  let currentKey = null; // the criterion that shortcuts and quotes act on
  let selectedLine = null; // the transcript line "Quote selected line" uses
  let focusAfterSwap = null; // { key, selector } to focus once htmx has swapped a row in

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const rows = () => $$(ROW);
  const rowOf = (key) => (key ? document.getElementById(`criterion-${key}`) : null);
  const audio = () => document.getElementById("ws-audio");
  const titleOf = (row) => ($(".ws-criterion-title", row) || row).textContent.trim();

  function clock(seconds) {
    const total = Math.max(Math.floor(seconds || 0), 0);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function announce(text) {
    const region = document.getElementById("ws-announce");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 30);
  }

  // --- Showing what needs JavaScript (hidden in the HTML so nothing is dead without it) -----

  function enhance(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const hasAudio = Boolean(audio());
    const reveal = (selector) => {
      $$(selector, scope).forEach((el) => { el.hidden = false; });
      if (scope.matches && scope.matches(selector)) scope.hidden = false;
    };
    const grading = Boolean(document.getElementById("ws-form"));
    reveal("[data-ws-speed]");
    reveal("[data-seek]");
    if (grading) {
      reveal("[data-ws-shortcuts]");
      reveal("[data-ws-hint]");
      reveal("[data-quote]");
      reveal("[data-evidence-actions]");
      reveal("[data-remove-evidence]");
      if (hasAudio) reveal("[data-add-time]");
    }
    $$("[data-seek]", scope).forEach((button) => {
      const text = button.parentElement && $("[data-ws-offset]", button.parentElement);
      if (text) text.hidden = true;
    });
  }

  // --- The current criterion and moving between criteria ------------------------------------

  function setCurrent(row) {
    if (!row) return;
    currentKey = row.dataset.criterion;
    rows().forEach((r) => r.classList.toggle("is-current", r === row));
  }

  function focusRow(row) {
    if (!row) return;
    const target = $(`${RADIO}:checked`, row) || $(RADIO, row) || row;
    target.focus();
    row.scrollIntoView({ block: "nearest" });
    setCurrent(row);
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(rowOf(currentKey));
    const next = index < 0 ? all[0] : all[Math.min(Math.max(index + step, 0), all.length - 1)];
    focusRow(next);
  }

  function afterRating(row, radio) {
    if (radio.dataset.low === "true" && row.dataset.rootCauses === "true") {
      // The root-cause select arrives with the server's answer: focus it then.
      focusAfterSwap = { key: row.dataset.criterion, selector: `#root_cause-${row.dataset.criterion}` };
      announce(`Rated low: choose a root cause for “${titleOf(row)}”.`);
      return;
    }
    const all = rows();
    const index = all.indexOf(row);
    if (index >= 0 && index < all.length - 1) {
      focusRow(all[index + 1]);
    } else {
      const comment = document.getElementById("ws-comment");
      if (comment) comment.focus();
    }
  }

  function rateWith(row, radio) {
    if (!radio || radio.disabled) return;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    afterRating(row, radio);
  }

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(el.type);
  }

  // --- The shortcuts overlay ----------------------------------------------------------------

  function openShortcuts() {
    const dialog = document.getElementById("ws-shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const dialog = document.getElementById("ws-shortcuts");
    if (dialog && dialog.open) return;
    const target = event.target;
    if (isTyping(target)) return;
    const key = event.key;
    if (key === "?") {
      event.preventDefault();
      openShortcuts();
      return;
    }
    if (!rows().length) return;
    const inRow = target.closest ? target.closest(ROW) : null;
    if (key === "j" || (key === "ArrowDown" && inRow)) {
      event.preventDefault();
      move(1);
      return;
    }
    if (key === "k" || (key === "ArrowUp" && inRow)) {
      event.preventDefault();
      move(-1);
      return;
    }
    const row = inRow || rowOf(currentKey);
    if (!row || !$(RADIO, row)) return;
    if (/^[1-9]$/.test(key)) {
      const radio = $(`input[type=radio][data-option="${key}"]`, row);
      if (radio) {
        event.preventDefault();
        rateWith(row, radio);
      }
      return;
    }
    if (key === "0" || key === "n") {
      event.preventDefault();
      const radio = $("input[type=radio][data-na]", row);
      if (radio) rateWith(row, radio);
      else announce(`“${titleOf(row)}” cannot be marked N/A.`);
    }
  });

  document.addEventListener("focusin", (event) => {
    const row = event.target.closest ? event.target.closest(ROW) : null;
    if (row) setCurrent(row);
  });

  // --- The conversation: selecting lines, the player ----------------------------------------

  function selectLine(line) {
    if (!line) return;
    if (selectedLine) selectedLine.classList.remove("is-selected");
    selectedLine = line;
    line.classList.add("is-selected");
  }

  function play(seconds) {
    const player = audio();
    if (!player || !Number.isFinite(seconds)) return;
    player.currentTime = seconds;
    const started = player.play();
    if (started && started.catch) started.catch(() => {});
  }

  document.addEventListener("change", (event) => {
    if (event.target.id === "ws-speed") {
      const player = audio();
      if (player) player.playbackRate = Number(event.target.value) || 1;
    }
  });

  // --- Evidence -----------------------------------------------------------------------------

  function removeButton() {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small";
    button.dataset.removeEvidence = "";
    button.append("Remove");
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " this evidence";
    button.append(hidden);
    return button;
  }

  function addEvidence(row, item, label) {
    const list = row && $("[data-evidence-list]", row);
    if (!list) return;
    const data = JSON.stringify(item);
    if ($$("input[type=hidden]", list).some((input) => input.value === data)) {
      announce("That evidence is already there.");
      return;
    }
    const li = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = label;
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = list.dataset.evidenceName;
    input.value = data;
    li.append(text, input, " ", removeButton());
    list.append(li);
    list.dispatchEvent(new Event("change", { bubbles: true }));
    announce(`Evidence added to “${titleOf(row)}”.`);
  }

  function quote(row, line, text) {
    if (!row) {
      announce("Choose a criterion first (press j, or click one), then quote.");
      return;
    }
    if (!line) {
      announce("Select a line in the conversation first: click it.");
      return;
    }
    const whole = ($(".ws-message-text", line) || line).textContent.trim();
    const quoted = (text || whole).slice(0, 1000);
    const index = Number(line.dataset.index);
    addEvidence(row, { kind: "quote", message: index, text: quoted }, `“${quoted}” (message ${index + 1})`);
  }

  function selectionInLine() {
    const selection = window.getSelection ? window.getSelection() : null;
    if (!selection || selection.isCollapsed) return null;
    const node = selection.anchorNode;
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    const line = el && el.closest(".ws-message");
    return line ? { line, text: selection.toString().trim() } : null;
  }

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!target.closest) return;

    const opener = target.closest("[data-ws-shortcuts]");
    if (opener) {
      openShortcuts();
      return;
    }
    const quoteButton = target.closest("[data-quote]");
    if (quoteButton) {
      const line = quoteButton.closest(".ws-message");
      selectLine(line);
      quote(rowOf(currentKey), line, "");
      return;
    }
    const seek = target.closest("[data-seek]");
    if (seek) {
      selectLine(seek.closest(".ws-message"));
      play(Number(seek.dataset.seek));
      return;
    }
    const addQuote = target.closest("[data-add-quote]");
    if (addQuote) {
      const row = addQuote.closest(ROW);
      setCurrent(row);
      const chosen = selectionInLine();
      quote(row, chosen ? chosen.line : selectedLine, chosen ? chosen.text : "");
      return;
    }
    const addTime = target.closest("[data-add-time]");
    if (addTime) {
      const row = addTime.closest(ROW);
      const player = audio();
      if (!player) return;
      const seconds = Math.round(player.currentTime * 10) / 10;
      addEvidence(row, { kind: "time", seconds }, `At ${clock(seconds)} in the recording`);
      return;
    }
    const remove = target.closest("[data-remove-evidence]");
    if (remove) {
      const item = remove.closest("li");
      const list = remove.closest("[data-evidence-list]");
      const row = remove.closest(ROW);
      const next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      if (list) list.dispatchEvent(new Event("change", { bubbles: true }));
      const focusable = (next && $("[data-remove-evidence]", next)) || (row && $("[data-add-quote]", row));
      if (focusable) focusable.focus();
      announce("Evidence removed.");
      return;
    }
    const line = target.closest(".ws-message");
    if (line && !target.closest("a, button")) {
      if (selectionInLine()) return; // selecting text to quote part of a line
      selectLine(line);
      if (line.dataset.offset) play(Number(line.dataset.offset));
    }
  });

  // --- htmx: keep focus and the user's newest input across swaps -----------------------------

  function describeFocus(row) {
    const active = document.activeElement;
    if (!active || !row.contains(active)) return null;
    if (active.id) return { key: row.dataset.criterion, selector: `#${CSS.escape(active.id)}` };
    for (const attr of ["data-add-quote", "data-add-time"]) {
      if (active.hasAttribute(attr)) return { key: row.dataset.criterion, selector: `[${attr}]` };
    }
    return { key: row.dataset.criterion, selector: null };
  }

  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const row = event.detail.target;
    if (!row || !row.matches || !row.matches(ROW)) return;
    // An answer to an older request: the reviewer has chosen again since; the queued request
    // brings the row that matches, so leave this one alone.
    const fresh = event.detail.fragment && event.detail.fragment.querySelector
      ? event.detail.fragment.querySelector("input[type=radio]:checked")
      : null;
    const shown = $("input[type=radio]:checked", row);
    if ((fresh ? fresh.value : "") !== (shown ? shown.value : "")) {
      event.detail.shouldSwap = false;
      return;
    }
    if (!focusAfterSwap) focusAfterSwap = describeFocus(row);
  });

  function restoreFocus() {
    if (!focusAfterSwap) return;
    const { key, selector } = focusAfterSwap;
    const row = rowOf(key);
    const active = document.activeElement;
    if (!row || (active && active !== document.body && !row.contains(active))) {
      focusAfterSwap = null; // the row is gone, or the reviewer has moved on
      return;
    }
    const target = selector ? $(selector, row) : null;
    if (target) {
      target.focus();
      focusAfterSwap = null;
    } else if (!active || active === document.body) {
      focusRow(row);
      focusAfterSwap = null;
    } // else: the row has not been swapped yet; wait for its answer
  }

  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));

  document.addEventListener("htmx:beforeSwap", (event) => {
    // Keep "How this score is computed" open if it was.
    const panel = document.getElementById("score-panel");
    const details = panel && $("[data-ws-explain]", panel);
    document.documentElement.dataset.wsExplainOpen = details && details.open ? "1" : "";
  });

  document.addEventListener("htmx:afterSettle", () => {
    const panel = document.getElementById("score-panel");
    if (panel) {
      const details = $("[data-ws-explain]", panel);
      if (details && document.documentElement.dataset.wsExplainOpen === "1") details.open = true;
      const rated = `${panel.dataset.rated} of ${panel.dataset.total} rated`;
      announce(`Score ${panel.dataset.final}, ${panel.dataset.verdict}. ${rated}.`);
    }
    if (currentKey) setCurrent(rowOf(currentKey));
    restoreFocus();
  });

  // --- Start --------------------------------------------------------------------------------

  function start() {
    enhance(document);
    const summary = document.getElementById("ws-error-summary");
    if (summary) return; // app.js focuses the error summary
    if (location.hash.startsWith("#criterion-")) {
      const row = document.getElementById(location.hash.slice(1));
      if (row) focusRow(row);
      return;
    }
    const editable = rows().filter((row) => $(RADIO, row));
    if (!editable.length) return;
    const first = editable.find((row) => !$(`${RADIO}:checked`, row)) || editable[0];
    setCurrent(first);
    if (document.querySelector("[data-ws-criteria].is-editable")) focusRow(first);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
