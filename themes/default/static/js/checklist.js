// Checklists: the task-list boxes of a checklist page become tickable, and their state is kept
// in this browser only (localStorage, one key per page and language). A repeated checklist
// (front matter `repeat = "monthly"`) also records each run: its date, who did it, how many
// items were ticked and a note; the last runs are listed, the next one is due a period after
// the last, and the page prints with the date and name filled in. Clearing the ticks or the
// record can be undone. Nothing is sent anywhere. Classic script (works from file://).
"use strict";
(function () {
  const panel = document.querySelector("[data-checklist]");
  if (!panel) return;
  const key = panel.getAttribute("data-storage-key");
  const boxes = Array.from(document.querySelectorAll(".content input.task"));
  const status = panel.querySelector("[data-progress]");
  const undoStatus = panel.querySelector("[data-undo-status]");
  const undoButton = panel.querySelector("[data-action='undo']");
  const repeat = panel.getAttribute("data-repeat");
  const keepRuns = Number(panel.getAttribute("data-keep-runs")) || 12;
  const head = document.querySelector("[data-run-head]");
  const lang = document.documentElement.lang || undefined;
  let undo = null;

  function msg(name, values) {
    let text = panel.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach((k) => {
      text = text.split("{" + k + "}").join(String(values[k]));
    });
    return text;
  }

  function load() {
    try {
      const saved = JSON.parse(window.localStorage.getItem(key) || "null");
      if (saved && typeof saved === "object") {
        return {
          ticked: Array.isArray(saved.ticked) ? saved.ticked : null,
          runs: Array.isArray(saved.runs) ? saved.runs.filter((r) => r && isDate(r.date)) : [],
        };
      }
    } catch (e) {
      // Unreadable state is treated as none.
    }
    return { ticked: null, runs: [] };
  }

  const state = load();

  function save() {
    state.ticked = boxes.filter((b) => b.checked).map((b) => Number(b.getAttribute("data-task")));
    try {
      window.localStorage.setItem(key, JSON.stringify(repeat ? state : { ticked: state.ticked }));
    } catch (e) {
      // Storage may be off (private mode, policy): ticking still works for this visit.
    }
  }

  function applyTicks() {
    if (!state.ticked) return;
    boxes.forEach((b) => {
      b.checked = state.ticked.indexOf(Number(b.getAttribute("data-task"))) !== -1;
    });
  }

  /** The form of a count string for n: the attribute holds one form per CLDR plural category
   * (JSON from the strings file) and Intl.PluralRules picks the page language's. */
  function pluralForm(text, n) {
    if (!text || text.charAt(0) !== "{" || text.charAt(1) !== '"') return text || "";
    let forms;
    try {
      forms = JSON.parse(text);
    } catch (e) {
      return text;
    }
    let category = "other";
    try {
      category = new Intl.PluralRules(lang).select(Number(n));
    } catch (e) {
      category = "other";
    }
    return forms[category] || forms.other || "";
  }

  function progress() {
    const done = boxes.filter((b) => b.checked).length;
    status.textContent = pluralForm(msg("progress"), boxes.length)
      .split("{done}").join(String(done)).split("{total}").join(String(boxes.length));
  }

  /** Offers to undo what was just done: `restore` brings the previous state back. */
  function offerUndo(message, restore) {
    undo = restore;
    undoStatus.textContent = message;
    undoButton.hidden = false;
  }

  function dropUndo() {
    undo = null;
    undoButton.hidden = true;
  }

  undoButton.addEventListener("click", () => {
    if (!undo) return;
    undo();
    dropUndo();
    undoStatus.textContent = msg("restored");
  });

  function snapshot() {
    return JSON.stringify({ ticked: boxes.filter((b) => b.checked).map((b) => Number(b.getAttribute("data-task"))), runs: state.runs });
  }

  function restoreFrom(saved) {
    const previous = JSON.parse(saved);
    state.ticked = previous.ticked;
    state.runs = previous.runs;
    applyTicks();
    save();
    progress();
    if (repeat) showRuns();
  }

  // --- Dated runs of a repeated checklist -------------------------------------------------

  function isDate(text) {
    return typeof text === "string" && /^\d{4}-\d{2}-\d{2}$/.test(text);
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function iso(d) {
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  /** A YYYY-MM-DD date as a local date at noon (no time-zone edge moves its day). */
  function parse(text) {
    const [y, m, d] = text.split("-").map(Number);
    return new Date(y, m - 1, d, 12);
  }

  function formatDate(text) {
    try {
      return parse(text).toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric" });
    } catch (e) {
      return text;
    }
  }

  /** The day a run done on `text` is next due: a week, a month, three months or a year on. */
  function due(text) {
    const d = parse(text);
    if (repeat === "weekly") {
      d.setDate(d.getDate() + 7);
      return iso(d);
    }
    const months = { monthly: 1, quarterly: 3, yearly: 12 }[repeat] || 1;
    const day = d.getDate();
    d.setDate(1);
    d.setMonth(d.getMonth() + months);
    // 31 January + one month is the last day of February, not 3 March.
    const last = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
    d.setDate(Math.min(day, last));
    return iso(d);
  }

  const runList = panel.querySelector("[data-runs]");
  const dateInput = head && head.querySelector("[data-run-date]");
  const byInput = head && head.querySelector("[data-run-by]");
  const noteInput = panel.querySelector("[data-run-note]");
  const printLine = head && head.querySelector("[data-run-print]");

  function runLabel(run) {
    const date = formatDate(run.date);
    return run.by ? msg("run-by", { date, name: run.by }) : msg("run", { date });
  }

  function showDue() {
    const dueLine = head.querySelector("[data-due]");
    const last = state.runs[0];
    if (!last) {
      dueLine.textContent = msg("due-never");
      dueLine.classList.remove("is-overdue");
      return;
    }
    const next = due(last.date);
    const overdue = next < iso(new Date());
    dueLine.textContent = msg(overdue ? "due-overdue" : "due-next", { last: runLabel(last), date: formatDate(next) });
    dueLine.classList.toggle("is-overdue", overdue);
  }

  function showRuns() {
    const labels = boxes.map((b) => {
      const text = b.closest("label") && b.closest("label").querySelector(".task-text");
      return text ? text.textContent.trim() : "";
    });
    runList.replaceChildren(...state.runs.map((run) => {
      const li = document.createElement("li");
      li.className = "run";
      const when = document.createElement("p");
      when.className = "run-when";
      when.textContent = runLabel(run);
      const items = document.createElement("p");
      items.textContent = msg("run-items", { done: run.done, total: run.total });
      li.append(when, items);
      if (Array.isArray(run.missed) && run.missed.length) {
        // The items left open, folded: a run with many open items would fill the page.
        const missed = document.createElement("ul");
        run.missed.forEach((i) => {
          if (typeof i !== "number" || !labels[i]) return;
          const item = document.createElement("li");
          item.textContent = labels[i];
          missed.appendChild(item);
        });
        if (missed.children.length) {
          const details = document.createElement("details");
          details.className = "run-missed";
          const summary = document.createElement("summary");
          summary.textContent = `${msg("run-missed")} ${missed.children.length}`;
          details.append(summary, missed);
          li.appendChild(details);
        }
      }
      if (run.note) {
        const note = document.createElement("p");
        note.className = "run-note-text";
        note.textContent = run.note;
        li.appendChild(note);
      }
      return li;
    }));
    runList.hidden = state.runs.length === 0;
    panel.querySelector("[data-no-runs]").hidden = state.runs.length > 0;
    panel.querySelector("[data-runs-actions]").hidden = state.runs.length === 0;
    showDue();
  }

  function showPrintLine() {
    const date = isDate(dateInput.value) ? formatDate(dateInput.value) : "";
    const name = byInput.value.trim();
    printLine.textContent = name ? msg("printed-by", { date, name }) : msg("printed", { date });
  }

  function record() {
    if (!isDate(dateInput.value)) {
      undoStatus.textContent = msg("no-date");
      dateInput.focus();
      return;
    }
    const before = snapshot();
    const ticked = boxes.filter((b) => b.checked);
    const run = {
      date: dateInput.value,
      by: byInput.value.trim().slice(0, 200),
      note: noteInput.value.trim().slice(0, 2000),
      done: ticked.length,
      total: boxes.length,
      missed: boxes.filter((b) => !b.checked).map((b) => Number(b.getAttribute("data-task"))),
    };
    // Newest first, by date (a check entered late sorts into place), the latest runs kept.
    state.runs = [run].concat(state.runs)
      .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0))
      .slice(0, keepRuns);
    boxes.forEach((b) => { b.checked = false; });
    noteInput.value = "";
    dateInput.value = iso(new Date());
    save();
    progress();
    showRuns();
    showPrintLine();
    offerUndo(msg("recorded", { date: formatDate(run.date) }), () => restoreFrom(before));
  }

  if (repeat && head) {
    dateInput.value = iso(new Date());
    if (state.runs[0] && state.runs[0].by) byInput.value = state.runs[0].by;
    [dateInput, byInput].forEach((input) => input.addEventListener("input", showPrintLine));
    panel.querySelector("[data-action='record']").addEventListener("click", record);
    panel.querySelector("[data-action='erase-runs']").addEventListener("click", () => {
      const before = snapshot();
      state.runs = [];
      save();
      showRuns();
      offerUndo(msg("runs-erased"), () => restoreFrom(before));
    });
    head.hidden = false;
    showRuns();
    showPrintLine();
  }

  // --- Ticks -------------------------------------------------------------------------------

  applyTicks();
  boxes.forEach((b) => {
    b.addEventListener("change", () => {
      dropUndo();
      save();
      progress();
    });
  });
  panel.querySelector("[data-action='reset']").addEventListener("click", () => {
    const before = snapshot();
    // Saved as an empty list rather than removed, so that boxes the page ships ticked stay
    // cleared after a reload too.
    boxes.forEach((b) => { b.checked = false; });
    save();
    progress();
    offerUndo(msg("reset"), () => restoreFrom(before));
  });
  panel.hidden = false;
  progress();
})();
