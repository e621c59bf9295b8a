// Training modules: lessons read, the quiz (feedback per question, with the reader's own choice
// and the correct one marked by a symbol and words, a score, pass or fail) and the certificate,
// offered once every lesson is read and the quiz passed. Progress is kept per module and
// language in this browser only (localStorage); erasing it can be undone; the name typed on
// the certificate is never stored or sent.
// Classic script (no modules, no fetch), so it works from file:// as well as over HTTP.
"use strict";
(function () {
  const root = document.querySelector("[data-training]");
  if (!root) return;
  const key = root.getAttribute("data-storage-key");

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

  function readState() {
    try {
      const state = JSON.parse(window.localStorage.getItem(key) || "null");
      if (state && typeof state === "object") {
        return {
          lessons: Array.isArray(state.lessons) ? state.lessons : [],
          quiz: state.quiz && typeof state.quiz === "object" ? state.quiz : null,
          completed: state.completed && typeof state.completed === "object" ? state.completed : null,
        };
      }
    } catch (e) {
      // Unreadable state is treated as none.
    }
    return { lessons: [], quiz: null, completed: null };
  }

  function writeState(state) {
    try {
      window.localStorage.setItem(key, JSON.stringify(state));
    } catch (e) {
      // Storage may be off (private mode, policy): the module still works for this visit.
    }
  }

  /** Today as YYYY-MM-DD in the reader's time zone. */
  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function formatDate(iso) {
    const d = new Date(`${iso}T12:00:00`);
    if (Number.isNaN(d.getTime())) return iso;
    try {
      return d.toLocaleDateString(document.documentElement.lang || undefined, {
        year: "numeric", month: "long", day: "numeric",
      });
    } catch (e) {
      return iso;
    }
  }

  const state = readState();

  if (root.getAttribute("data-training") === "lesson") {
    const lesson = root.getAttribute("data-lesson");
    if (state.lessons.indexOf(lesson) === -1) {
      state.lessons.push(lesson);
      writeState(state);
    }
    const status = root.querySelector("[data-progress]");
    status.textContent = msg("progress", {
      read: state.lessons.length, total: root.getAttribute("data-lesson-count"),
    });
    status.hidden = false;
    return;
  }

  let data;
  try {
    data = JSON.parse(document.getElementById("training-data").textContent);
  } catch (e) {
    return;
  }
  const progress = root.querySelector("[data-progress]");
  const quiz = data.quiz;
  const form = root.querySelector("[data-quiz-form]");
  const result = root.querySelector("[data-quiz-result]");
  const certificate = root.querySelector("[data-certificate]");
  const erase = root.querySelector("[data-tool-data]");
  const undoStatus = erase.querySelector("[data-undo-status]");
  const undoButton = erase.querySelector("[data-action='undo']");
  const certificateStatus = root.querySelector("[data-certificate-status]");
  let undo = null;

  /** The module's lessons not read yet (id and title, in order). */
  function unreadLessons() {
    return data.lessons.filter((l) => state.lessons.indexOf(l.id) === -1);
  }

  /** The certificate needs both: every lesson read and the quiz passed. */
  function earned() {
    return Boolean(state.completed) && unreadLessons().length === 0;
  }

  function showLessons() {
    const ids = data.lessons.map((l) => l.id);
    const read = state.lessons.filter((id) => ids.indexOf(id) !== -1);
    root.querySelectorAll("li[data-lesson]").forEach((li) => {
      const done = read.indexOf(li.getAttribute("data-lesson")) !== -1;
      li.classList.toggle("lesson-read", done);
      li.querySelector("[data-state]").textContent = done ? msg("read") : "";
    });
    if (!progress) return;
    let text = msg("progress", { read: read.length, total: ids.length });
    if (quiz) {
      text += " " + (state.completed
        ? msg("quiz-passed", { date: formatDate(state.completed.date), percent: state.completed.percent })
        : msg("quiz-open"));
    }
    progress.textContent = text;
    progress.hidden = false;
  }

  function showCertificate() {
    if (!certificate) return;
    const unread = unreadLessons();
    certificate.hidden = !earned();
    if (certificateStatus) {
      // Until it is earned, the page says what the certificate needs and what is still open.
      certificateStatus.hidden = earned();
      const text = certificateStatus.querySelector("[data-certificate-status-text]");
      const missing = certificateStatus.querySelector("[data-certificate-missing]");
      text.textContent = state.completed && unread.length
        ? msg("certificate-lessons", { count: unread.length })
        : msg("certificate-conditions");
      missing.replaceChildren(...(state.completed ? unread : []).map((l) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = l.url;
        a.textContent = l.title;
        li.appendChild(a);
        return li;
      }));
      missing.hidden = missing.children.length === 0;
    }
    if (earned()) {
      certificate.querySelector("[data-certificate-details]").textContent = msg("completed", {
        date: formatDate(state.completed.date), percent: state.completed.percent,
      });
    }
  }

  function chosenAnswers() {
    const chosen = {};
    quiz.questions.forEach((q) => {
      const checked = form.querySelector(`input[name="quiz-${q.id}"]:checked`);
      if (checked) chosen[q.id] = checked.value;
    });
    return chosen;
  }

  function setAnswers(chosen) {
    quiz.questions.forEach((q) => {
      form.querySelectorAll(`input[name="quiz-${q.id}"]`).forEach((input) => {
        input.checked = chosen[q.id] === input.value;
      });
    });
  }

  function setLocked(locked) {
    form.querySelectorAll("input[type=radio]").forEach((input) => { input.disabled = locked; });
    form.querySelector("[data-action='check']").hidden = locked;
    form.querySelector("[data-action='retry']").hidden = !locked;
  }

  /** Marks beside the options: the reader's choice and the correct answer, each with a
   *  symbol and words, so that neither rests on colour alone. */
  function markOptions(fieldset, q, chosenId) {
    fieldset.querySelectorAll("input[type=radio]").forEach((input) => {
      const label = input.closest("label");
      const text = label.querySelector(".answer-text") || label;
      text.querySelectorAll(".quiz-mark").forEach((m) => m.remove());
      label.classList.remove("is-chosen", "is-answer");
      const isCorrect = input.value === q.correct;
      const isChosen = input.value === chosenId;
      if (!isCorrect && !isChosen) return;
      const mark = document.createElement("span");
      mark.className = "quiz-mark " + (isCorrect ? "quiz-mark-correct" : "quiz-mark-wrong");
      const symbol = document.createElement("span");
      symbol.className = "quiz-mark-symbol";
      symbol.setAttribute("aria-hidden", "true");
      symbol.textContent = isCorrect ? "✓" : "✗";
      const words = isChosen ? (isCorrect ? "mark-yours-correct" : "mark-yours-wrong") : "mark-correct";
      mark.append(symbol, " " + msg(words));
      text.append(" ", mark);
      if (isChosen) label.classList.add("is-chosen");
      if (isCorrect) label.classList.add("is-answer");
    });
  }

  function clearMarks() {
    form.querySelectorAll(".quiz-mark").forEach((m) => m.remove());
    form.querySelectorAll("label.is-chosen, label.is-answer").forEach((l) => l.classList.remove("is-chosen", "is-answer"));
  }

  /** Feedback per question and the score; returns the percentage. */
  function grade(chosen) {
    let correct = 0;
    quiz.questions.forEach((q) => {
      const fieldset = form.querySelector(`[data-question="${q.id}"]`);
      markOptions(fieldset, q, chosen[q.id]);
      const feedback = fieldset.querySelector("[data-feedback]");
      const right = chosen[q.id] === q.correct;
      if (right) correct += 1;
      const option = q.options.find((o) => o.id === q.correct);
      const verdict = document.createElement("p");
      verdict.className = "quiz-verdict";
      verdict.textContent = right ? msg("correct") : msg("incorrect", { answer: option ? option.text : q.correct });
      const explanation = document.createElement("p");
      explanation.textContent = q.explanation;
      feedback.replaceChildren(verdict, explanation);
      feedback.className = "quiz-feedback " + (right ? "is-correct" : "is-incorrect");
      feedback.hidden = false;
    });
    const total = quiz.questions.length;
    const percent = Math.round((correct * 100) / total);
    const passed = percent >= quiz.pass_mark;
    result.querySelector("[data-score]").textContent =
      msg("score", { correct, total, percent }) + " " +
      msg(passed ? "passed" : "failed", { pass_mark: quiz.pass_mark });
    result.classList.toggle("is-passed", passed);
    result.hidden = false;
    return { percent, passed };
  }

  function clearFeedback() {
    clearMarks();
    form.querySelectorAll("[data-feedback]").forEach((f) => {
      f.hidden = true;
      f.replaceChildren();
    });
    result.hidden = true;
  }

  if (quiz && form) {
    root.querySelector("[data-needs-script]").hidden = true;
    form.hidden = false;
    const status = form.querySelector("[data-quiz-status]");
    if (state.quiz && state.quiz.answers) {
      setAnswers(state.quiz.answers);
      if (state.quiz.checked) {
        grade(chosenAnswers());
        setLocked(true);
      }
    }
    form.addEventListener("change", () => {
      dropUndo();
      state.quiz = { answers: chosenAnswers(), checked: false };
      writeState(state);
    });
    // Never submitted: answers must not leave the page, not even into its URL.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = chosenAnswers();
      const open = quiz.questions.filter((q) => !chosen[q.id]);
      if (open.length) {
        status.textContent = msg("unanswered", { count: open.length });
        const first = form.querySelector(`input[name="quiz-${open[0].id}"]`);
        if (first) first.focus();
        return;
      }
      status.textContent = "";
      dropUndo();
      const outcome = grade(chosen);
      setLocked(true);
      state.quiz = { answers: chosen, checked: true };
      if (outcome.passed) state.completed = { date: today(), percent: outcome.percent };
      writeState(state);
      showLessons();
      showCertificate();
      result.focus();
    });
    form.querySelector("[data-action='retry']").addEventListener("click", () => {
      state.quiz = null;
      writeState(state);
      setAnswers({});
      clearFeedback();
      setLocked(false);
      const first = form.querySelector("input[type=radio]");
      if (first) first.focus();
    });
  }

  function dropUndo() {
    undo = null;
    undoButton.hidden = true;
  }

  /** Shows a state (after an erase or its undo): lessons, quiz and certificate. */
  function showState() {
    if (quiz && form) {
      clearFeedback();
      setAnswers(state.quiz && state.quiz.answers ? state.quiz.answers : {});
      const checked = Boolean(state.quiz && state.quiz.checked);
      if (checked) grade(chosenAnswers());
      setLocked(checked);
    }
    showLessons();
    showCertificate();
  }

  erase.querySelector("[data-action='erase']").addEventListener("click", () => {
    const before = JSON.stringify(state);
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      // Storage off: nothing was kept.
    }
    state.lessons = [];
    state.quiz = null;
    state.completed = null;
    if (quiz && form) form.querySelector("[data-quiz-status]").textContent = "";
    showState();
    undoStatus.textContent = msg("erased");
    undo = () => {
      Object.assign(state, JSON.parse(before));
      writeState(state);
      showState();
    };
    undoButton.hidden = false;
  });
  undoButton.addEventListener("click", () => {
    if (!undo) return;
    undo();
    dropUndo();
    undoStatus.textContent = msg("restored");
  });

  erase.hidden = false;
  showLessons();
  showCertificate();
})();
