// The self-assessment: answers kept in this browser only (localStorage, one key per page and
// language), a score per theme drawn as an inline SVG chart with a table beside it, advice for
// the weakest themes first, and the answers downloadable as a JSON file and loadable again from
// one. The printed result starts with the result: its date, the practice's name if typed (never
// stored), the scores and the advice. Erasing the answers can be undone. Nothing is ever sent
// anywhere: no fetch, no form submission, nothing in the URL.
// Classic script (no modules, no fetch), so it works from file:// as well as over HTTP.
"use strict";
(function () {
  const root = document.getElementById("assessment");
  const dataElement = document.getElementById("assessment-data");
  if (!root || !dataElement) return;
  let data;
  try {
    data = JSON.parse(dataElement.textContent);
  } catch (e) {
    return; // Without its data the page keeps the readable list it shows without script.
  }
  const SVG = "http://www.w3.org/2000/svg";
  const FORMAT = "hcp-self-assessment";
  const key = root.getAttribute("data-storage-key");
  const form = root.querySelector("[data-form]");
  const results = root.querySelector("[data-results]");
  const progress = root.querySelector("[data-progress]");
  const toolData = root.querySelector("[data-tool-data]");
  const dataStatus = root.querySelector("[data-data-status]");
  const undoButton = root.querySelector("[data-action='undo']");
  const practice = root.querySelector("[data-practice]");
  const top = document.querySelector("[data-tool-top]");
  let resultDate = null;
  let undo = null;
  const questions = [];
  data.themes.forEach((theme) => theme.questions.forEach((q) => questions.push({ q, theme })));
  const answers = new Map(data.answers.map((a) => [a.id, a]));

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
      category = new Intl.PluralRules(document.documentElement.lang || undefined).select(Number(n));
    } catch (e) {
      category = "other";
    }
    return forms[category] || forms.other || "";
  }

  /** A UI string from data-msg-* with {placeholders} filled; a count string takes the plural
   * form of `values.total` (progress lines) or `values.count`. */
  function msg(name, values) {
    const n = values && (values.total !== undefined ? values.total : values.count);
    let text = pluralForm(root.getAttribute("data-msg-" + name) || "", n);
    Object.keys(values || {}).forEach((k) => {
      text = text.split("{" + k + "}").join(String(values[k]));
    });
    return text;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function currentAnswers() {
    const chosen = {};
    questions.forEach(({ q }) => {
      const checked = form.querySelector(`input[name="${q.id}"]:checked`);
      if (checked && answers.has(checked.value)) chosen[q.id] = checked.value;
    });
    return chosen;
  }

  function setAnswers(chosen) {
    questions.forEach(({ q }) => {
      form.querySelectorAll(`input[name="${q.id}"]`).forEach((input) => {
        input.checked = chosen[q.id] === input.value;
      });
    });
  }

  function readState() {
    try {
      const state = JSON.parse(window.localStorage.getItem(key) || "null");
      return state && typeof state.answers === "object" && state.answers ? state : null;
    } catch (e) {
      return null;
    }
  }

  /** Today as YYYY-MM-DD in the reader's time zone. */
  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function formatDate(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    try {
      return new Date(y, m - 1, d, 12).toLocaleDateString(document.documentElement.lang || undefined, {
        year: "numeric", month: "long", day: "numeric",
      });
    } catch (e) {
      return iso;
    }
  }

  /** Saves the answers; a shown result is dated (today, unless `date` is given). */
  function writeState(done, date) {
    const state = { answers: currentAnswers(), done };
    if (done) {
      resultDate = date || today();
      state.date = resultDate;
    }
    try {
      window.localStorage.setItem(key, JSON.stringify(state));
    } catch (e) {
      // Storage may be off (private mode, policy): the assessment still works for this visit.
    }
  }

  function updateProgress() {
    const count = Object.keys(currentAnswers()).length;
    progress.textContent = msg("progress", { answered: count, total: questions.length });
  }

  /** Points per theme, in the definition's order. */
  function scores(chosen) {
    return data.themes.map((theme, index) => {
      const max = theme.questions.length * data.max_points;
      const score = theme.questions.reduce((sum, q) => {
        const answer = answers.get(chosen[q.id]);
        return sum + (answer ? answer.points : 0);
      }, 0);
      return { theme, index, score, max, percent: max > 0 ? Math.round((score * 100) / max) : 0 };
    });
  }

  function drawChart(list) {
    const row = 46;
    const barMax = 520;
    const rtl = document.documentElement.getAttribute("dir") === "rtl";
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 600 ${list.length * row + 4}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "score-chart-title");
    svg.setAttribute("class", "chart");
    const title = document.createElementNS(SVG, "title");
    title.id = "score-chart-title";
    title.textContent = msg("chart") + ": " + list.map((s) => `${s.theme.title} ${s.percent}%`).join(", ");
    svg.appendChild(title);
    list.forEach((s, i) => {
      const y = i * row;
      const width = Math.round((barMax * s.percent) / 100);
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", rtl ? "600" : "0");
      label.setAttribute("y", String(y + 16));
      label.setAttribute("class", "chart-label");
      if (rtl) label.setAttribute("text-anchor", "end");
      label.textContent = s.theme.title;
      const track = document.createElementNS(SVG, "rect");
      track.setAttribute("x", rtl ? String(600 - barMax) : "0");
      track.setAttribute("y", String(y + 22));
      track.setAttribute("width", String(barMax));
      track.setAttribute("height", "16");
      track.setAttribute("class", "chart-track");
      const bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("x", rtl ? String(600 - width) : "0");
      bar.setAttribute("y", String(y + 22));
      bar.setAttribute("width", String(width));
      bar.setAttribute("height", "16");
      bar.setAttribute("class", s.percent < 50 ? "chart-bar chart-bar-low" : "chart-bar");
      const value = document.createElementNS(SVG, "text");
      value.setAttribute("x", rtl ? String(600 - barMax - 8) : String(barMax + 8));
      value.setAttribute("y", String(y + 35));
      value.setAttribute("class", "chart-value");
      if (rtl) value.setAttribute("text-anchor", "end");
      value.textContent = `${s.percent}%`;
      svg.append(label, track, bar, value);
    });
    return svg;
  }

  function showResults(moveFocus) {
    const chosen = currentAnswers();
    const list = scores(chosen);
    const total = list.reduce((sum, s) => sum + s.score, 0);
    const max = list.reduce((sum, s) => sum + s.max, 0);
    const overall = msg("overall", {
      score: total,
      max,
      percent: max > 0 ? Math.round((total * 100) / max) : 0,
    });
    results.querySelector("[data-overall]").textContent = overall;
    showMeta();

    const chart = results.querySelector("[data-chart]");
    chart.replaceChildren(drawChart(list));

    const rows = results.querySelector("[data-score-rows]");
    rows.replaceChildren(...list.map((s) => {
      const tr = el("tr");
      tr.setAttribute("data-theme", s.theme.id);
      const th = el("th", "", s.theme.title);
      th.setAttribute("scope", "row");
      tr.append(th, el("td", "", msg("theme-score", { score: s.score, max: s.max })), el("td", "", `${s.percent}%`));
      return tr;
    }));

    // Weakest themes first; equal scores keep the questionnaire's order.
    const ranked = list.slice().sort((a, b) => a.percent - b.percent || a.index - b.index);
    const advice = results.querySelector("[data-advice]");
    const items = [];
    ranked.forEach((s) => {
      const weak = s.theme.questions.filter((q) => {
        const answer = answers.get(chosen[q.id]);
        return !answer || answer.points < data.max_points;
      });
      if (!weak.length) return;
      const li = el("li", "advice-theme");
      li.setAttribute("data-theme", s.theme.id);
      li.appendChild(el("h4", "", `${s.theme.title} (${s.percent}%)`));
      const ul = el("ul", "advice-items");
      weak.forEach((q) => {
        const item = el("li", "advice-item");
        item.setAttribute("data-question", q.id);
        const answer = answers.get(chosen[q.id]);
        item.appendChild(el("p", "advice-question", q.text));
        if (answer) item.appendChild(el("p", "advice-answer", msg("your-answer", { answer: answer.label })));
        item.appendChild(el("p", "advice-text", q.advice));
        if (q.links.length) {
          const links = el("ul", "advice-links");
          q.links.forEach((link) => {
            const a = el("a", "", link.title);
            a.href = link.url;
            const entry = el("li");
            entry.appendChild(a);
            links.appendChild(entry);
          });
          item.appendChild(links);
        }
        ul.appendChild(item);
      });
      li.appendChild(ul);
      items.push(li);
    });
    advice.replaceChildren(...items);
    advice.hidden = items.length === 0;
    results.querySelector("[data-no-advice]").hidden = items.length > 0;
    results.hidden = false;
    root.classList.add("has-results");
    if (top) top.querySelector("[data-result-link]").hidden = false;
    if (moveFocus) {
      progress.textContent = overall;
      results.focus();
    }
  }

  function hideResults() {
    results.hidden = true;
    root.classList.remove("has-results");
    if (top) top.querySelector("[data-result-link]").hidden = true;
  }

  /** The line that heads the result (and its printout): the practice, if named, and the date. */
  function showMeta() {
    const date = formatDate(resultDate || today());
    const name = practice.value.trim();
    results.querySelector("[data-result-meta]").textContent = name
      ? msg("result-practice", { practice: name, date })
      : msg("result-date", { date });
  }
  practice.addEventListener("input", showMeta);

  function dropUndo() {
    undo = null;
    undoButton.hidden = true;
  }

  form.addEventListener("change", () => {
    dropUndo();
    const complete = Object.keys(currentAnswers()).length === questions.length;
    const showing = !results.hidden && complete;
    writeState(showing);
    updateProgress();
    if (showing) showResults(false);
    else hideResults();
  });

  // The form is never submitted: answers must not leave the page, not even into its URL.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = currentAnswers();
    const open = questions.filter(({ q }) => !chosen[q.id]);
    if (open.length) {
      progress.textContent = msg("unanswered", { count: open.length });
      const first = form.querySelector(`input[name="${open[0].q.id}"]`);
      if (first) first.focus();
      return;
    }
    writeState(true);
    showResults(true);
  });

  root.addEventListener("click", (event) => {
    const button = event.target.closest ? event.target.closest("button[data-action]") : null;
    if (!button) return;
    const action = button.getAttribute("data-action");
    if (action === "edit") {
      const first = form.querySelector("input[type=radio]:checked") || form.querySelector("input[type=radio]");
      if (first) first.focus();
    } else if (action === "download") {
      download();
    } else if (action === "erase") {
      const before = { answers: currentAnswers(), done: !results.hidden, date: resultDate };
      try {
        window.localStorage.removeItem(key);
      } catch (e) {
        // Storage off: nothing was kept.
      }
      setAnswers({});
      hideResults();
      updateProgress();
      dataStatus.textContent = msg("erased");
      undo = () => {
        setAnswers(before.answers);
        writeState(before.done, before.date);
        if (before.done) showResults(false);
        updateProgress();
      };
      undoButton.hidden = false;
    } else if (action === "undo" && undo) {
      undo();
      dropUndo();
      dataStatus.textContent = msg("restored");
    }
  });

  function download() {
    const payload = {
      format: FORMAT,
      version: 1,
      page: key.replace(/^hcp:assessment:/, ""),
      answers: currentAnswers(),
    };
    const blob = new Blob([JSON.stringify(payload, null, 2) + "\n"], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = root.getAttribute("data-file-name") || "answers.json";
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /** Answers from a loaded file: only known questions and answers are taken. */
  function parseAnswers(text) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return null;
    }
    if (!parsed || parsed.format !== FORMAT || typeof parsed.answers !== "object" || !parsed.answers) return null;
    const chosen = {};
    questions.forEach(({ q }) => {
      const value = parsed.answers[q.id];
      if (typeof value === "string" && answers.has(value)) chosen[q.id] = value;
    });
    return Object.keys(chosen).length ? chosen : null;
  }

  const input = root.querySelector("[data-load]");
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (!file) return;
    if (file.size > 1000000) {
      dataStatus.textContent = msg("load-error");
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      input.value = "";
      const chosen = parseAnswers(String(reader.result));
      if (!chosen) {
        dataStatus.textContent = msg("load-error");
        return;
      }
      dropUndo();
      setAnswers(chosen);
      const complete = Object.keys(chosen).length === questions.length;
      writeState(complete);
      updateProgress();
      dataStatus.textContent = msg("loaded");
      if (complete) showResults(true);
      else hideResults();
    };
    reader.onerror = () => {
      dataStatus.textContent = msg("load-error");
    };
    reader.readAsText(file);
  });

  /** "Start": to the first question, its first answer focused. */
  function startQuestions() {
    const first = form.querySelector("fieldset.question");
    if (!first) return;
    first.scrollIntoView({ block: "start" });
    const input = first.querySelector("input[type=radio]:checked") || first.querySelector("input[type=radio]");
    if (input) input.focus({ preventScroll: true });
  }
  if (top) top.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("[data-action='start']") : null;
    if (!link) return;
    event.preventDefault();
    startQuestions();
  });

  const state = readState();
  if (state) {
    setAnswers(state.answers);
    if (typeof state.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(state.date)) resultDate = state.date;
  }
  // The form replaces the readable list: the ids that links lead to move with it.
  const staticList = root.querySelector("[data-static]");
  staticList.querySelectorAll("[id]").forEach((node) => node.removeAttribute("id"));
  form.querySelectorAll("[data-id]").forEach((node) => { node.id = node.getAttribute("data-id"); });
  staticList.hidden = true;
  form.hidden = false;
  toolData.hidden = false;
  updateProgress();
  if (state && state.done && Object.keys(currentAnswers()).length === questions.length) showResults(false);
})();
