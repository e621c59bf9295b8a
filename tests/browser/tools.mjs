// Browser tests of the tools (node tools.mjs <public-dir>), over file:// and over HTTP: the
// self-assessment end to end with a fixed answer set (scores per theme, advice order, saved
// state, download and reload of the answers, erase, the no-script list), a checklist (tick,
// reload, reset, print view), a model document's print view, a training module (lessons read,
// quiz failed then passed, certificate, erase). Every page: no request outside the site, no
// request carrying data (only GETs of site files without a query), no CSP violation, no script
// error; axe-core on every tool page in every language, before and after completing.
import fs from "node:fs";
import path from "node:path";
import { launch, serve, fileBase, guardedPage, visit, axe, runner } from "./lib.mjs";

const site = process.argv[2];
const t = runner();
const languages = fs.readdirSync(site).filter((d) => fs.existsSync(path.join(site, d, "index.html"))).sort();

// One answer per theme, so the expected score of each theme does not depend on how many
// questions it has: Yes = 100%, Partly = 50%, No and Don't know = 0%.
const PLAN = {
  inventory: "yes", procedures: "partly", awareness: "no", roles: "unknown",
  defence: "yes", backup: "no", updates: "partly", evaluation: "yes",
};
const EXPECTED = {
  inventory: "100%", procedures: "50%", awareness: "0%", roles: "0%",
  defence: "100%", backup: "0%", updates: "50%", evaluation: "100%",
};
// Weakest first; ties keep the questionnaire's order; themes answered Yes give no advice.
const ADVICE_ORDER = ["awareness", "roles", "backup", "procedures", "updates"];

const ASSESSMENT = (lang) => `${lang}/tools/self-assessment.html`;
const CHECKLIST = (lang) => `${lang}/tools/monthly-backup-check.html`;
const TEMPLATE = (lang) => `${lang}/tools/incident-response-plan.html`;
const MODULE = (lang) => `${lang}/training/phishing/index.html`;

/** Requests the page makes: anything but a GET of a site file without a query is a leak. */
function watchRequests(page, base) {
  const seen = [];
  page.on("request", (req) => {
    const url = req.url();
    if (url.startsWith("blob:") || url.startsWith("data:")) return;
    if (req.method() !== "GET" || url.includes("?") || !url.startsWith(base)) {
      seen.push(`${req.method()} ${url}`);
    }
  });
  return seen;
}

async function assessmentData(page) {
  return page.evaluate(() => JSON.parse(document.getElementById("assessment-data").textContent));
}

async function answerPlan(page) {
  const data = await assessmentData(page);
  for (const theme of data.themes) {
    for (const q of theme.questions) {
      await page.check(`#assessment-form input[name="${q.id}"][value="${PLAN[theme.id]}"]`);
    }
  }
  return data;
}

async function scoreTable(page) {
  return page.$$eval("[data-score-rows] tr", (rows) => Object.fromEntries(
    rows.map((r) => [r.getAttribute("data-theme"), r.querySelector("td:last-child").textContent.trim()])));
}

async function checkResults(page, data, label) {
  const problems = [];
  if (await page.isHidden("#assessment-results")) return [`${label}: results hidden`];
  const table = await scoreTable(page);
  if (JSON.stringify(table) !== JSON.stringify(EXPECTED)) problems.push(`${label}: scores ${JSON.stringify(table)}`);
  const bars = await page.$$eval("[data-chart] svg rect.chart-bar", (r) => r.map((x) => Number(x.getAttribute("width"))));
  const widths = data.themes.map((th) => Math.round((520 * parseInt(EXPECTED[th.id], 10)) / 100));
  if (JSON.stringify(bars) !== JSON.stringify(widths)) problems.push(`${label}: bar widths ${bars} (want ${widths})`);
  const svgLabel = await page.$eval("[data-chart] svg", (s) => s.getAttribute("role") + " " + s.querySelector("title").textContent);
  if (!svgLabel.startsWith("img ") || !svgLabel.includes("100%")) problems.push(`${label}: chart not labelled: ${svgLabel}`);
  const order = await page.$$eval(".advice-theme", (l) => l.map((x) => x.getAttribute("data-theme")));
  if (JSON.stringify(order) !== JSON.stringify(ADVICE_ORDER)) problems.push(`${label}: advice order ${order}`);
  // Every weak question's advice, with its links, and none for the Yes themes.
  const weak = data.themes.filter((th) => PLAN[th.id] !== "yes").flatMap((th) => th.questions);
  const shown = await page.$$eval(".advice-item", (l) => l.map((x) => [x.getAttribute("data-question"), x.querySelector(".advice-text").textContent, x.querySelectorAll(".advice-links a").length]));
  if (shown.length !== weak.length) problems.push(`${label}: ${shown.length} pieces of advice, want ${weak.length}`);
  for (const q of weak) {
    const s = shown.find((x) => x[0] === q.id);
    if (!s || s[1] !== q.advice || s[2] !== q.links.length) problems.push(`${label}: advice of ${q.id} missing or wrong`);
  }
  return problems;
}

const browser = await launch();
const server = await serve(site);
try {
  for (const [mode, base] of [["file", fileBase(site)], ["http", server.base]]) {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await guardedPage(context, base);
    const leaks = watchRequests(page, base);
    // Chromium asks a new HTTP origin for /favicon.ico, which the site does not have; that 404
    // belongs to no tool page, so it happens here, before the checks.
    if (mode === "http") await visit(page, base + "index.html");

    // Initial state of every tool page in every language (axe once, over file://).
    for (const lang of languages) {
      const pages = {
        tool: ASSESSMENT(lang), checklist: CHECKLIST(lang), template: TEMPLATE(lang),
        training: MODULE(lang), lesson: `${lang}/training/phishing/01-what-phishing-looks-like.html`,
      };
      for (const [type, rel] of Object.entries(pages)) {
        await t.step(`${mode} ${lang} ${type} initial (${rel})`, async () => {
          await context.clearCookies();
          const problems = await visit(page, base + rel);
          if (mode === "file") problems.push(...(await axe(page)));
          return problems;
        });
      }
    }

    for (const lang of languages) {
      const rel = ASSESSMENT(lang);
      await t.step(`${mode} ${lang} self-assessment end to end`, async () => {
        const problems = await visit(page, base + rel);
        await page.evaluate(() => window.localStorage.clear());
        await page.reload();
        if (!(await page.isHidden("[data-static]"))) problems.push("the no-script list is still shown");
        const data = await answerPlan(page);
        await page.click("#assessment-form button[type=submit]");
        problems.push(...(await checkResults(page, data, "after submit")));
        const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
        if (focused !== "assessment-results") problems.push(`focus on ${focused}, not the results`);
        if (page.url() !== base + rel) problems.push(`the URL changed: ${page.url()}`);
        const stored = await page.evaluate((k) => window.localStorage.getItem(k), `hcp:assessment:${lang}/tools/self-assessment`);
        if (!stored || !stored.includes('"done":true')) problems.push(`not saved on the device: ${stored}`);
        if (mode === "file") problems.push(...(await axe(page)).map((v) => `axe after completing: ${v}`));

        // Saved on the device: a reload shows the same result.
        await page.reload();
        problems.push(...(await checkResults(page, data, "after reload")));

        // Print view: the result, not the form or the controls.
        await page.emulateMedia({ media: "print" });
        if (!(await page.isHidden("#assessment-form"))) problems.push("print view shows the form");
        if (!(await page.isHidden("[data-tool-data]"))) problems.push("print view shows the answer controls");
        if (await page.isHidden("#assessment-results")) problems.push("print view hides the result");
        await page.emulateMedia({ media: "screen" });

        // Download the answers, erase, load them again.
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-action='download']")]);
        const saved = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
        const want = Object.fromEntries(data.themes.flatMap((th) => th.questions.map((q) => [q.id, PLAN[th.id]])));
        if (JSON.stringify(saved.answers) !== JSON.stringify(want)) problems.push(`downloaded answers differ: ${JSON.stringify(saved)}`);
        if (!download.suggestedFilename().endsWith(".json")) problems.push(`download named ${download.suggestedFilename()}`);
        await page.click("[data-tool-data] [data-action='erase']");
        const left = await page.evaluate(() => Object.keys(window.localStorage).filter((k) => k.startsWith("hcp:assessment:")));
        if (left.length) problems.push(`erase left ${left}`);
        if (await page.$$eval("#assessment-form input:checked", (l) => l.length)) problems.push("erase left answers ticked");
        if (!(await page.isHidden("#assessment-results"))) problems.push("erase left the result shown");
        await page.reload();
        if (await page.$$eval("#assessment-form input:checked", (l) => l.length)) problems.push("answers back after erase and reload");
        await page.setInputFiles("[data-load]", { name: "answers.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(saved)) });
        await page.waitForSelector("#assessment-results:not([hidden])", { timeout: 3000 });
        problems.push(...(await checkResults(page, data, "after loading the file")));
        await page.setInputFiles("[data-load]", { name: "bad.json", mimeType: "application/json", buffer: Buffer.from("{\"x\":1}") });
        await page.waitForTimeout(100);
        const status = await page.textContent("[data-data-status]");
        if (!status.trim()) problems.push("a bad file gives no message");

        // An incomplete questionnaire gives no result but says what is open.
        await page.click("[data-tool-data] [data-action='erase']");
        await page.check(`#assessment-form input[name="${data.themes[0].questions[0].id}"][value="yes"]`);
        await page.click("#assessment-form button[type=submit]");
        if (!(await page.isHidden("#assessment-results"))) problems.push("result shown with open questions");
        const open = await page.textContent("[data-progress]");
        if (!open.includes(String(data.themes.flatMap((th) => th.questions).length - 1))) problems.push(`no count of open questions: ${open}`);
        await page.click("[data-tool-data] [data-action='erase']");
        problems.push(...page.problems);
        return problems;
      });
    }

    await t.step(`${mode} checklist: tick, reload, reset, print`, async () => {
      const rel = CHECKLIST("en");
      const problems = await visit(page, base + rel);
      await page.evaluate(() => window.localStorage.clear());
      await page.reload();
      const boxes = await page.$$(".content input.task");
      if (boxes.length < 3) return [`only ${boxes.length} boxes`];
      await boxes[0].check();
      await boxes[2].check();
      await page.reload();
      const ticked = await page.$$eval(".content input.task", (l) => l.map((b) => b.checked));
      if (!ticked[0] || ticked[1] || !ticked[2]) problems.push(`state after reload: ${ticked}`);
      const status = await page.textContent("[data-checklist] [data-progress]");
      if (!status.includes("2")) problems.push(`progress says ${status}`);
      await page.emulateMedia({ media: "print" });
      const printed = await page.$eval(".content input.task", (b) => getComputedStyle(b).appearance);
      if (printed !== "none") problems.push(`printed boxes keep their tick (appearance ${printed})`);
      if (!(await page.isHidden("[data-checklist]"))) problems.push("print view shows the checklist controls");
      if (!(await page.isHidden(".site-header"))) problems.push("print view shows the header");
      await page.emulateMedia({ media: "screen" });
      await page.click("[data-action='reset']");
      await page.reload();
      const after = await page.$$eval(".content input.task:checked", (l) => l.length);
      if (after) problems.push(`${after} boxes ticked after reset and reload`);
      if (page.url() !== base + rel) problems.push(`the URL changed: ${page.url()}`);
      problems.push(...page.problems);
      return problems;
    });

    await t.step(`${mode} model document: print button and print view`, async () => {
      const problems = await visit(page, base + TEMPLATE("en"));
      await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; });
      await page.click("[data-print-actions] button");
      if ((await page.evaluate(() => window.__printed)) !== 1) problems.push("the print button does not print");
      if (!(await page.isVisible(".download a"))) problems.push("no Markdown download");
      await page.emulateMedia({ media: "print" });
      for (const hidden of [".site-header", ".site-footer", ".download", "[data-print-actions]"]) {
        if (!(await page.isHidden(hidden))) problems.push(`print view shows ${hidden}`);
      }
      await page.emulateMedia({ media: "screen" });
      problems.push(...page.problems);
      return problems;
    });

    for (const lang of languages) {
      await t.step(`${mode} ${lang} training: lessons, quiz failed then passed, certificate, erase`, async () => {
        const rel = MODULE(lang);
        const problems = await visit(page, base + rel);
        await page.evaluate(() => window.localStorage.clear());
        const lessons = await page.$$eval("li[data-lesson] a", (l) => l.map((a) => a.getAttribute("href")));
        for (const href of lessons) {
          problems.push(...(await visit(page, base + `${lang}/training/phishing/${href}`)));
        }
        const lessonStatus = await page.textContent("[data-training] [data-progress]");
        if (!lessonStatus.includes(String(lessons.length))) problems.push(`lesson progress: ${lessonStatus}`);
        await page.click("a[href$='index.html#quiz']");
        await page.waitForLoadState("load");
        if (!page.url().endsWith("index.html#quiz")) problems.push(`quiz link led to ${page.url()}`);
        const data = await page.evaluate(() => JSON.parse(document.getElementById("training-data").textContent));
        const read = await page.$$eval("li.lesson-read", (l) => l.length);
        if (read !== lessons.length) problems.push(`${read} of ${lessons.length} lessons marked read`);

        // Fail: every answer wrong.
        for (const q of data.quiz.questions) {
          const wrong = q.options.find((o) => o.id !== q.correct);
          await page.check(`input[name="quiz-${q.id}"][value="${wrong.id}"]`);
        }
        await page.click("[data-quiz-form] button[type=submit]");
        const wrongCount = await page.$$eval(".quiz-feedback.is-incorrect:not([hidden])", (l) => l.length);
        if (wrongCount !== data.quiz.questions.length) problems.push(`${wrongCount} incorrect feedbacks`);
        if (!(await page.isVisible("[data-quiz-result]"))) problems.push("no score after a failed quiz");
        if (await page.$eval("[data-quiz-result]", (r) => r.classList.contains("is-passed"))) problems.push("a failed quiz passed");
        if (!(await page.isHidden("[data-certificate]"))) problems.push("certificate after a failed quiz");
        if (!(await page.textContent("[data-score]")).includes("0%")) problems.push("score of a failed quiz is not 0%");
        if (!(await page.isHidden("[data-action='check']")) || !(await page.isVisible("[data-action='retry']"))) {
          problems.push("after checking, the quiz does not offer to try again");
        }

        // Pass: every answer right.
        await page.click("[data-action='retry']");
        for (const q of data.quiz.questions) await page.check(`input[name="quiz-${q.id}"][value="${q.correct}"]`);
        await page.click("[data-quiz-form] button[type=submit]");
        const rightCount = await page.$$eval(".quiz-feedback.is-correct:not([hidden])", (l) => l.length);
        if (rightCount !== data.quiz.questions.length) problems.push(`${rightCount} correct feedbacks`);
        if (!(await page.textContent("[data-score]")).includes("100%")) problems.push("score of a perfect quiz is not 100%");
        if (!(await page.isVisible("[data-certificate]"))) problems.push("no certificate after passing");
        const certificate = await page.textContent("[data-certificate]");
        if (!certificate.includes(data.title)) problems.push("certificate lacks the module title");
        if (!/\d/.test(await page.textContent("[data-certificate-details]"))) problems.push("certificate lacks the date");
        if (page.url() !== base + rel + "#quiz") problems.push(`the URL changed: ${page.url()}`);
        if (mode === "file") problems.push(...(await axe(page)).map((v) => `axe after completing: ${v}`));

        // The name is typed for the printout only: never stored.
        await page.fill("#certificate-name", "Dr. Test Name");
        const storage = await page.evaluate(() => JSON.stringify(window.localStorage));
        if (storage.includes("Test Name")) problems.push("the name was stored");

        // Certificate print: only the certificate.
        await page.evaluate(() => { window.print = () => { window.__printed = true; }; });
        await page.click("[data-certificate] button[data-action='print']");
        if ((await page.getAttribute("html", "data-print")) !== "certificate") problems.push("certificate print mode not set");
        await page.emulateMedia({ media: "print" });
        if (!(await page.isVisible(".certificate h2")) || !(await page.isVisible(".certificate-module"))) {
          problems.push("certificate print view hides the certificate");
        }
        for (const css of [".page-header h1", ".site-header", "#quiz", ".lesson-list"]) {
          if (!(await page.isHidden(css))) problems.push(`certificate print view shows ${css}`);
        }
        await page.emulateMedia({ media: "screen" });

        // Kept on reload, then erased.
        await page.reload();
        if (!(await page.isVisible("[data-certificate]"))) problems.push("certificate gone after reload");
        await page.click("[data-tool-data] [data-action='erase']");
        if (!(await page.isHidden("[data-certificate]"))) problems.push("certificate left after erase");
        const left = await page.evaluate(() => Object.keys(window.localStorage).filter((k) => k.startsWith("hcp:training:")));
        if (left.length) problems.push(`erase left ${left}`);
        problems.push(...page.problems);
        return problems;
      });
    }

    t.check(`${mode} no request carried data or left the site`, leaks);
    await context.close();

    // Without JavaScript: every question and all advice, readable.
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const plain = await guardedPage(noScript, base);
    await t.step(`${mode} self-assessment without JavaScript`, async () => {
      const problems = await visit(plain, base + ASSESSMENT("en"));
      const items = await plain.$$eval(".assessment-static .question-list > li", (l) => l.length);
      const advice = await plain.$$eval(".assessment-static .question-advice", (l) => l.length);
      if (items !== 20 || advice !== 20) problems.push(`${items} questions and ${advice} pieces of advice listed`);
      if (!(await plain.isHidden("#assessment-form"))) problems.push("the form shows without script");
      if (!(await plain.isHidden("[data-tool-data]"))) problems.push("answer controls show without script");
      return problems;
    });
    await t.step(`${mode} training module and checklist without JavaScript`, async () => {
      const problems = await visit(plain, base + MODULE("en"));
      if (!(await plain.isVisible("[data-needs-script]"))) problems.push("no notice that the quiz needs script");
      for (const css of ["[data-quiz-form]", "[data-tool-data]", "[data-certificate]"]) {
        if (!(await plain.isHidden(css))) problems.push(`${css} shows without script`);
      }
      if ((await plain.$$eval("li[data-lesson] a", (l) => l.length)) < 3) problems.push("lessons not listed");
      problems.push(...(await visit(plain, base + CHECKLIST("en"))));
      if (!(await plain.isHidden("[data-checklist]"))) problems.push("checklist controls show without script");
      problems.push(...(await visit(plain, base + TEMPLATE("en"))));
      if (!(await plain.isHidden("[data-print-actions]"))) problems.push("print button shows without script");
      return problems;
    });
    await noScript.close();
  }
} finally {
  server.close();
  await browser.close();
}
t.finish("browser tools");
