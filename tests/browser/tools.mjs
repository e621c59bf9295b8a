// Browser tests of the tools (node tools.mjs <public-dir>), over file:// and over HTTP: the
// self-assessment end to end with a fixed answer set (Start, "On this page", scores per theme,
// advice order, saved state, the printed result first and in black and white, download and
// reload of the answers, erase and undo, the no-script list); a checklist (the sentence ticks
// its box, 44 px targets on touch screens, no bullets, reload, clear and undo, print view); the
// monthly checklist's dated runs in every language (date and name, saved runs listed, next
// check due, printed with the date filled in, erase and undo); a model document (buttons at
// the top, the .odt and Markdown downloads, print view); a training module (lessons read, quiz
// failed then passed with the reader's choice and the right answer marked, radios of one size,
// the certificate only once every lesson is read and the quiz passed, erase and undo). Every
// page: no request outside the site, no request carrying data (only GETs of site files without
// a query), no CSP violation, no script error; axe-core on every tool page in every language,
// before and after completing, and with a graded quiz.
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

/** Computed colours that would print in colour: anything but greys (r = g = b) and transparency. */
async function colouredInPrint(page) {
  return page.evaluate(() => {
    const grey = (c) => {
      if (!c || c === "none" || c === "transparent") return true;
      let m = c.match(/^rgba?\(([\d.]+),?\s*([\d.]+),?\s*([\d.]+)(?:\s*[,/]\s*([\d.]+))?\)$/);
      if (m) return (m[4] !== undefined && Number(m[4]) === 0) || (Math.abs(m[1] - m[2]) < 2 && Math.abs(m[2] - m[3]) < 2);
      m = c.match(/^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/);
      if (m) return (m[4] !== undefined && Number(m[4]) === 0) || (Math.abs(m[1] - m[2]) < 0.01 && Math.abs(m[2] - m[3]) < 0.01);
      return false;
    };
    const out = [];
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (!box.width || !box.height || style.visibility === "hidden") continue;
      const props = ["color", "background-color"];
      for (const side of ["top", "right", "bottom", "left"]) {
        if (parseFloat(style.getPropertyValue(`border-${side}-width`)) > 0) props.push(`border-${side}-color`);
      }
      if (el instanceof SVGElement) props.push("fill", "stroke");
      for (const prop of props) {
        const value = style.getPropertyValue(prop);
        const name = typeof el.className === "string" ? el.className : el.className.baseVal;
        if (!grey(value)) out.push(`${el.tagName.toLowerCase()}.${name} ${prop} ${value}`);
      }
    }
    return out.slice(0, 5);
  });
}

/** Text of the elements that would print, in order, from the top of <main>. */
async function printedTexts(page, css) {
  return page.$$eval(css, (list) => list.filter((e) => e.getBoundingClientRect().height > 0).map((e) => e.textContent.trim()));
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

        // "Start" near the top leads to the first question, its first answer focused.
        const start = await page.$("[data-tool-top] [data-action='start']");
        const startY = await start.evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
        const contentY = await page.$eval("article .content", (e) => e.getBoundingClientRect().top + window.scrollY);
        if (startY > contentY) problems.push(`Start is below the text (${startY} > ${contentY})`);
        await start.click();
        const focus = await page.evaluate(() => {
          const el = document.activeElement;
          const fieldset = el && el.closest("fieldset");
          return { type: el && el.type, first: fieldset === document.querySelector("#assessment-form fieldset"), top: fieldset && fieldset.getBoundingClientRect().top };
        });
        if (focus.type !== "radio" || !focus.first) problems.push(`Start focused ${JSON.stringify(focus)}`);
        if (!(focus.top >= -1 && focus.top < 200)) problems.push(`the first question is not at the top of the screen (${focus.top})`);
        // "On this page" leads to the questions: each theme link has its target, shown.
        const tocTargets = await page.$$eval(".toc a[href^='#sa-theme-']", (links) => links.map((a) => {
          const target = document.getElementById(a.getAttribute("href").slice(1));
          return target && target.closest("#assessment-form") && target.getBoundingClientRect().height > 0 ? "ok" : a.getAttribute("href");
        }));
        const data0 = await assessmentData(page);
        if (tocTargets.length !== data0.themes.length || tocTargets.some((x) => x !== "ok")) {
          problems.push(`"On this page" theme links: ${tocTargets}`);
        }

        const data = await answerPlan(page);
        await page.click("#assessment-form button[type=submit]");
        problems.push(...(await checkResults(page, data, "after submit")));
        const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
        if (focused !== "assessment-results") problems.push(`focus on ${focused}, not the results`);
        if (page.url() !== base + rel) problems.push(`the URL changed: ${page.url()}`);
        const stored = await page.evaluate((k) => window.localStorage.getItem(k), `hcp:assessment:${lang}/tools/self-assessment`);
        if (!stored || !stored.includes('"done":true')) problems.push(`not saved on the device: ${stored}`);
        if (mode === "file") problems.push(...(await axe(page)).map((v) => `axe after completing: ${v}`));
        if (!(await page.isVisible("[data-tool-top] [data-result-link]"))) problems.push("no link to the result at the top");

        // Saved on the device: a reload shows the same result, dated.
        await page.reload();
        problems.push(...(await checkResults(page, data, "after reload")));
        const meta = await page.textContent("[data-result-meta]");
        const year = String(new Date().getFullYear());
        if (!meta.includes(year)) problems.push(`the result is not dated: ${meta}`);

        // Print: the result first (its date and the practice's name), nothing of the
        // introduction or the questionnaire, in black and white.
        await page.fill("[data-practice]", "Studio Test Rossi");
        if (!(await page.textContent("[data-result-meta]")).includes("Studio Test Rossi")) problems.push("the practice name is not shown");
        await page.emulateMedia({ media: "print" });
        for (const css of ["#assessment-form", "[data-tool-data]", "article .content", ".toc", "#assessment-heading", ".page-header .lead", "[data-tool-top]", "[data-practice]"]) {
          if (!(await page.isHidden(css))) problems.push(`print view shows ${css}`);
        }
        if (await page.isHidden("#assessment-results")) problems.push("print view hides the result");
        const printed = await printedTexts(page, "main h1, main h2, main p");
        if (!printed[1] || !printed[1].startsWith((await page.textContent("#results-heading")).trim())) {
          problems.push(`print does not start with the result: ${printed.slice(0, 3).join(" | ")}`);
        }
        if (!printed[2] || !printed[2].includes("Studio Test Rossi") || !printed[2].includes(year)) {
          problems.push(`the printed result is not headed by practice and date: ${printed[2]}`);
        }
        problems.push(...(await colouredInPrint(page)).map((c) => `prints in colour: ${c}`));
        await page.emulateMedia({ media: "screen" });
        const kept = await page.evaluate(() => JSON.stringify(window.localStorage));
        if (kept.includes("Studio Test Rossi")) problems.push("the practice name was stored");

        // Download the answers, erase (and undo), load them again.
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-action='download']")]);
        const saved = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
        const want = Object.fromEntries(data.themes.flatMap((th) => th.questions.map((q) => [q.id, PLAN[th.id]])));
        if (JSON.stringify(saved.answers) !== JSON.stringify(want)) problems.push(`downloaded answers differ: ${JSON.stringify(saved)}`);
        if (!download.suggestedFilename().endsWith(".json")) problems.push(`download named ${download.suggestedFilename()}`);
        await page.click("[data-tool-data] [data-action='erase']");
        if (await page.$$eval("#assessment-form input:checked", (l) => l.length)) problems.push("erase left answers ticked");
        if (!(await page.isHidden("#assessment-results"))) problems.push("erase left the result shown");
        if (!(await page.isVisible("[data-tool-data] [data-action='undo']"))) problems.push("erase offers no undo");
        await page.click("[data-tool-data] [data-action='undo']");
        problems.push(...(await checkResults(page, data, "after undo")));
        await page.reload();
        problems.push(...(await checkResults(page, data, "after undo and reload")));
        await page.click("[data-tool-data] [data-action='erase']");
        const left = await page.evaluate(() => Object.keys(window.localStorage).filter((k) => k.startsWith("hcp:assessment:")));
        if (left.length) problems.push(`erase left ${left}`);
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
        if (await page.isVisible("[data-tool-data] [data-action='undo']")) problems.push("undo still offered after a new answer");
        await page.click("#assessment-form button[type=submit]");
        if (!(await page.isHidden("#assessment-results"))) problems.push("result shown with open questions");
        const open = await page.textContent("[data-progress]");
        if (!open.includes(String(data.themes.flatMap((th) => th.questions).length - 1))) problems.push(`no count of open questions: ${open}`);
        await page.click("[data-tool-data] [data-action='erase']");
        problems.push(...page.problems);
        return problems;
      });
    }

    await t.step(`${mode} checklist: the sentence ticks, reload, clear and undo, print`, async () => {
      const rel = CHECKLIST("en").replace("monthly-backup-check", "ransomware-first-hour");
      const problems = await visit(page, base + rel);
      await page.evaluate(() => window.localStorage.clear());
      await page.reload();
      const boxes = await page.$$(".content input.task");
      if (boxes.length < 3) return [`only ${boxes.length} boxes`];
      // A click on the words (far from the box) ticks it.
      await page.click(".content .task-item >> nth=0 >> .task-text", { position: { x: 150, y: 5 } });
      await boxes[2].check();
      const bullets = await page.$$eval(".content li.task-item", (l) => l.filter((li) => getComputedStyle(li).listStyleType !== "none").length);
      if (bullets) problems.push(`${bullets} task items show a bullet`);
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
      await page.click("[data-checklist] [data-action='reset']");
      if (await page.$$eval(".content input.task:checked", (l) => l.length)) problems.push("clear left ticks");
      await page.click("[data-checklist] [data-action='undo']");
      const back = await page.$$eval(".content input.task", (l) => l.map((b) => b.checked));
      if (!back[0] || back[1] || !back[2]) problems.push(`undo did not bring the ticks back: ${back}`);
      await page.click("[data-checklist] [data-action='reset']");
      await page.reload();
      const after = await page.$$eval(".content input.task:checked", (l) => l.length);
      if (after) problems.push(`${after} boxes ticked after clear and reload`);
      if (page.url() !== base + rel) problems.push(`the URL changed: ${page.url()}`);
      problems.push(...page.problems);
      return problems;
    });

    for (const lang of languages) {
      await t.step(`${mode} ${lang} monthly checklist: dated runs, next check due, print, erase and undo`, async () => {
        const rel = CHECKLIST(lang);
        const problems = await visit(page, base + rel);
        await page.evaluate(() => window.localStorage.clear());
        await page.reload();
        if (!(await page.isVisible("[data-run-head]"))) return ["no date and name fields on the monthly checklist"];
        const today = await page.evaluate(() => {
          const d = new Date();
          return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
        });
        if ((await page.inputValue("[data-run-date]")) !== today) problems.push("the date is not today's");
        const never = await page.textContent("[data-due]");
        const boxes = await page.$$(".content input.task");
        await boxes[0].check();
        await boxes[1].check();
        await page.fill("[data-run-by]", "Anna Test");
        await page.fill("[data-run-date]", "2026-11-02");
        await page.fill("[data-run-note]", "Restored the agenda folder.");
        // Printed with the date and name filled in, and the ticks as they stand.
        await page.emulateMedia({ media: "print" });
        const line = await page.textContent("[data-run-print]");
        if (!(await page.isVisible("[data-run-print]")) || !line.includes("Anna Test") || !line.includes("2026")) problems.push(`print line: ${line}`);
        for (const css of ["[data-run-date]", "[data-run-by]", "[data-checklist]"]) {
          if (!(await page.isHidden(css))) problems.push(`print view shows ${css}`);
        }
        const printedTicks = await page.$$eval(".content input.task", (l) => l.filter((b) => b.checked && getComputedStyle(b).appearance !== "none").length);
        if (printedTicks !== 2) problems.push(`${printedTicks} ticks printed, want 2`);
        await page.emulateMedia({ media: "screen" });

        await page.click("[data-action='record']");
        const runs = await page.$$eval("[data-runs] > li", (l) => l.map((li) => li.textContent));
        if (runs.length !== 1 || !runs[0].includes("Anna Test") || !runs[0].includes("2026") || !runs[0].includes("Restored the agenda folder.")) {
          problems.push(`runs listed: ${JSON.stringify(runs)}`);
        }
        if (!runs[0] || !runs[0].includes(`2`) || !runs[0].includes(String(boxes.length))) problems.push(`the run does not count its ticks: ${runs[0]}`);
        if (await page.$$eval(".content input.task:checked", (l) => l.length)) problems.push("the boxes are not clear for the next check");
        const due = await page.textContent("[data-due]");
        if (due === never || !due.includes("2026")) problems.push(`next check: ${due}`);
        if (!(await page.$eval("[data-due]", (e) => e.classList.contains("is-overdue"))) && today > "2026-12-02") problems.push("an old check is not overdue");
        await page.reload();
        if ((await page.$$eval("[data-runs] > li", (l) => l.length)) !== 1) problems.push("the run is gone after reload");
        if ((await page.inputValue("[data-run-by]")) !== "Anna Test") problems.push("the name is not offered again");

        // Twelve more runs: the last twelve are kept, newest first.
        for (let m = 1; m <= 12; m++) {
          await page.fill("[data-run-date]", `2025-${String(m).padStart(2, "0")}-15`);
          await page.click("[data-action='record']");
        }
        const dates = await page.evaluate((k) => JSON.parse(window.localStorage.getItem(k)).runs.map((r) => r.date), `hcp:checklist:${lang}/tools/monthly-backup-check`);
        if (dates.length !== 12 || dates[0] !== "2026-11-02" || dates[11] !== "2025-02-15") problems.push(`runs kept: ${dates}`);
        // Erase the record, undo, erase.
        await page.click("[data-action='erase-runs']");
        if ((await page.$$eval("[data-runs] > li", (l) => l.length))) problems.push("erase left runs listed");
        await page.click("[data-checklist] [data-action='undo']");
        if ((await page.$$eval("[data-runs] > li", (l) => l.length)) !== 12) problems.push("undo did not bring the runs back");
        await page.click("[data-action='erase-runs']");
        await page.reload();
        if ((await page.$$eval("[data-runs] > li", (l) => l.length))) problems.push("runs back after erase and reload");
        if (mode === "file") problems.push(...(await axe(page)));
        if (page.url() !== base + rel) problems.push(`the URL changed: ${page.url()}`);
        problems.push(...page.problems);
        return problems;
      });
    }

    await t.step(`${mode} checklist: 44 px targets on a touch screen`, async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
      const p = await guardedPage(phone, base);
      const problems = await visit(p, base + CHECKLIST("en"));
      const small = await p.$$eval(".content .task-label", (l) => l.map((x) => x.getBoundingClientRect()).filter((r) => r.width < 44 || r.height < 44).length);
      if (small) problems.push(`${small} task labels smaller than 44x44 px`);
      const box = await p.$eval(".content input.task", (b) => b.getBoundingClientRect().width);
      if (box < 24) problems.push(`the box itself is ${box} px wide`);
      await p.tap(".content .task-item >> nth=1 >> .task-text");
      if (!(await p.$eval(".content .task-item:nth-child(2) input.task", (b) => b.checked))) problems.push("a tap on the sentence does not tick it");
      problems.push(...p.problems);
      await phone.close();
      return problems;
    });

    await t.step(`${mode} model document: buttons at the top, .odt and Markdown downloads, print`, async () => {
      const problems = await visit(page, base + TEMPLATE("en"));
      const y = async (css) => page.$eval(css, (e) => e.getBoundingClientRect().top + window.scrollY);
      if ((await y(".document-actions")) > (await y("article .content"))) problems.push("the buttons are below the text");
      if ((await y(".document-actions")) > 800) problems.push("the buttons are not on the first screen");
      const [odt] = await Promise.all([page.waitForEvent("download"), page.click("[data-download='odt']")]);
      const bytes = fs.readFileSync(await odt.path());
      if (!odt.suggestedFilename().endsWith(".odt")) problems.push(`the document downloads as ${odt.suggestedFilename()}`);
      if (bytes.subarray(0, 2).toString() !== "PK" || bytes.subarray(30, 38).toString() !== "mimetype" ||
        !bytes.subarray(38, 77).toString().startsWith("application/vnd.oasis.opendocument.text")) {
        problems.push("the .odt is not an OpenDocument text");
      }
      if (mode === "http") {
        const [md] = await Promise.all([page.waitForEvent("download"), page.click("[data-download='md']")]);
        if (!fs.readFileSync(await md.path(), "utf8").startsWith("# ")) problems.push("the Markdown download is not the document");
      } else {
        // From disk, Chromium ignores `download` for a text file and shows it instead.
        await page.click("[data-download='md']");
        await page.waitForLoadState("load");
        if (!page.url().endsWith(".md") || !(await page.textContent("body")).startsWith("# ")) problems.push(`the Markdown link led to ${page.url()}`);
        await page.goBack();
      }
      await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; });
      await page.click("[data-print-actions]");
      if ((await page.evaluate(() => window.__printed)) !== 1) problems.push("the print button does not print");
      await page.emulateMedia({ media: "print" });
      for (const hidden of [".site-header", ".site-footer", ".document-actions", "[data-print-actions]"]) {
        if (!(await page.isHidden(hidden))) problems.push(`print view shows ${hidden}`);
      }
      await page.emulateMedia({ media: "screen" });
      problems.push(...page.problems);
      return problems;
    });

    for (const lang of languages) {
      await t.step(`${mode} ${lang} training: quiz failed then passed, marks, certificate after every lesson, erase and undo`, async () => {
        const rel = MODULE(lang);
        const problems = await visit(page, base + rel);
        await page.evaluate(() => window.localStorage.clear());
        const lessons = await page.$$eval("li[data-lesson] a", (l) => l.map((a) => a.getAttribute("href")));
        // Every lesson but the last one read.
        for (const href of lessons.slice(0, -1)) {
          problems.push(...(await visit(page, base + `${lang}/training/phishing/${href}`)));
        }
        await visit(page, base + rel + "#quiz");
        const data = await page.evaluate(() => JSON.parse(document.getElementById("training-data").textContent));
        const read = await page.$$eval("li.lesson-read", (l) => l.length);
        if (read !== lessons.length - 1) problems.push(`${read} of ${lessons.length - 1} lessons marked read`);
        if (!(await page.isVisible("[data-certificate-status]"))) problems.push("the page does not say what the certificate needs");

        // Radios keep one size, long answers or short (at phone width too).
        await page.setViewportSize({ width: 390, height: 844 });
        const sizes = await page.$$eval("[data-quiz-form] input[type=radio]", (l) => l.map((r) => {
          const b = r.getBoundingClientRect();
          return `${Math.round(b.width)}x${Math.round(b.height)}`;
        }));
        if (new Set(sizes).size !== 1) problems.push(`radios of different sizes: ${[...new Set(sizes)]}`);
        await page.setViewportSize({ width: 1280, height: 720 });

        // Fail: every answer wrong. Each question marks the reader's choice and the right one.
        const wrongs = {};
        for (const q of data.quiz.questions) {
          const wrong = q.options.find((o) => o.id !== q.correct);
          wrongs[q.id] = wrong.id;
          await page.check(`input[name="quiz-${q.id}"][value="${wrong.id}"]`);
        }
        await page.click("[data-quiz-form] button[type=submit]");
        const wrongCount = await page.$$eval(".quiz-feedback.is-incorrect:not([hidden])", (l) => l.length);
        if (wrongCount !== data.quiz.questions.length) problems.push(`${wrongCount} incorrect feedbacks`);
        const messages = await page.$eval("#training", (r) => ({
          yoursWrong: r.getAttribute("data-msg-mark-yours-wrong"), correct: r.getAttribute("data-msg-mark-correct"),
          yoursCorrect: r.getAttribute("data-msg-mark-yours-correct"),
        }));
        for (const q of data.quiz.questions) {
          const marks = await page.$$eval(`[data-question="${q.id}"] label`, (labels) => labels.map((l) => ({
            value: l.querySelector("input").value,
            marks: Array.from(l.querySelectorAll(".quiz-mark")).map((m) => ({
              text: m.textContent.trim(), symbol: m.querySelector(".quiz-mark-symbol[aria-hidden=true]")?.textContent,
            })),
          })));
          const chosen = marks.find((m) => m.value === wrongs[q.id]);
          const right = marks.find((m) => m.value === q.correct);
          if (chosen.marks.length !== 1 || chosen.marks[0].symbol !== "✗" || !chosen.marks[0].text.includes(messages.yoursWrong)) {
            problems.push(`${q.id}: the reader's choice is marked ${JSON.stringify(chosen.marks)}`);
          }
          if (right.marks.length !== 1 || right.marks[0].symbol !== "✓" || !right.marks[0].text.includes(messages.correct)) {
            problems.push(`${q.id}: the correct answer is marked ${JSON.stringify(right.marks)}`);
          }
          if (marks.filter((m) => m.marks.length).length !== 2) problems.push(`${q.id}: other options are marked`);
        }
        if (!(await page.isVisible("[data-quiz-result]"))) problems.push("no score after a failed quiz");
        if (await page.$eval("[data-quiz-result]", (r) => r.classList.contains("is-passed"))) problems.push("a failed quiz passed");
        if (!(await page.isHidden("[data-certificate]"))) problems.push("certificate after a failed quiz");
        if (!(await page.textContent("[data-score]")).includes("0%")) problems.push("score of a failed quiz is not 0%");
        if (!(await page.isHidden("[data-action='check']")) || !(await page.isVisible("[data-action='retry']"))) {
          problems.push("after checking, the quiz does not offer to try again");
        }
        if (mode === "file") problems.push(...(await axe(page)).map((v) => `axe with a failed quiz graded: ${v}`));

        // Pass: every answer right; one lesson still unread, so no certificate yet.
        await page.click("[data-action='retry']");
        if (await page.$$eval(".quiz-mark", (l) => l.length)) problems.push("marks left after trying again");
        for (const q of data.quiz.questions) await page.check(`input[name="quiz-${q.id}"][value="${q.correct}"]`);
        await page.click("[data-quiz-form] button[type=submit]");
        const rightCount = await page.$$eval(".quiz-feedback.is-correct:not([hidden])", (l) => l.length);
        if (rightCount !== data.quiz.questions.length) problems.push(`${rightCount} correct feedbacks`);
        const yours = await page.$$eval(".quiz-mark", (l) => l.map((m) => m.textContent));
        if (yours.length !== data.quiz.questions.length || !yours.every((m) => m.includes(messages.yoursCorrect))) {
          problems.push(`marks after a perfect quiz: ${yours}`);
        }
        if (!(await page.textContent("[data-score]")).includes("100%")) problems.push("score of a perfect quiz is not 100%");
        if (!(await page.isHidden("[data-certificate]"))) problems.push("certificate offered with a lesson unread");
        const missing = await page.$$eval("[data-certificate-missing] a", (l) => l.map((a) => a.getAttribute("href")));
        if (JSON.stringify(missing) !== JSON.stringify(lessons.slice(-1))) problems.push(`unread lessons named: ${missing}`);
        if (mode === "file") problems.push(...(await axe(page)).map((v) => `axe with a passed quiz graded: ${v}`));

        // The last lesson read: the certificate is offered and says what was done.
        await page.click("[data-certificate-missing] a");
        await page.waitForLoadState("load");
        await page.click("a[href$='index.html#quiz']");
        await page.waitForLoadState("load");
        if (!page.url().endsWith("index.html#quiz")) problems.push(`quiz link led to ${page.url()}`);
        if (!(await page.isVisible("[data-certificate]"))) problems.push("no certificate after every lesson and the quiz");
        if (!(await page.isHidden("[data-certificate-status]"))) problems.push("the conditions still show beside the certificate");
        const certificate = await page.textContent("[data-certificate]");
        if (!certificate.includes(data.title)) problems.push("certificate lacks the module title");
        if (!/\d/.test(await page.textContent("[data-certificate-details]"))) problems.push("certificate lacks the date");
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
        problems.push(...(await colouredInPrint(page)).map((c) => `certificate prints in colour: ${c}`));
        await page.emulateMedia({ media: "screen" });

        // Kept on reload; erased, undone, erased.
        await page.reload();
        if (!(await page.isVisible("[data-certificate]"))) problems.push("certificate gone after reload");
        await page.click("[data-tool-data] [data-action='erase']");
        if (!(await page.isHidden("[data-certificate]"))) problems.push("certificate left after erase");
        if (await page.$$eval("li.lesson-read", (l) => l.length)) problems.push("lessons still marked read after erase");
        await page.click("[data-tool-data] [data-action='undo']");
        if (!(await page.isVisible("[data-certificate]"))) problems.push("undo did not bring the certificate back");
        if ((await page.$$eval("li.lesson-read", (l) => l.length)) !== lessons.length) problems.push("undo did not bring the lessons back");
        await page.click("[data-tool-data] [data-action='erase']");
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
      // Start and "On this page" lead to the readable list.
      const start = await plain.getAttribute("[data-action='start']", "href");
      if (!(await plain.isVisible(start))) problems.push(`Start leads to ${start}, not shown`);
      const targets = await plain.$$eval(".toc a[href^='#sa-']", (l) => l.filter((a) => !document.querySelector(a.getAttribute("href"))).length);
      if (targets) problems.push(`${targets} "On this page" links lead nowhere`);
      return problems;
    });
    await t.step(`${mode} training module and checklists without JavaScript`, async () => {
      const problems = await visit(plain, base + MODULE("en"));
      if (!(await plain.isVisible("[data-needs-script]"))) problems.push("no notice that the quiz needs script");
      for (const css of ["[data-quiz-form]", "[data-tool-data]", "[data-certificate]"]) {
        if (!(await plain.isHidden(css))) problems.push(`${css} shows without script`);
      }
      if ((await plain.$$eval("li[data-lesson] a", (l) => l.length)) < 3) problems.push("lessons not listed");
      problems.push(...(await visit(plain, base + CHECKLIST("en"))));
      if (!(await plain.isHidden("[data-checklist]"))) problems.push("checklist controls show without script");
      if (!(await plain.isHidden("[data-run-head]"))) problems.push("the run's date and name show without script");
      problems.push(...(await visit(plain, base + TEMPLATE("en"))));
      if (!(await plain.isHidden("[data-print-actions]"))) problems.push("print button shows without script");
      if (!(await plain.isVisible("[data-download='odt']"))) problems.push("no .odt download without script");
      return problems;
    });
    await noScript.close();
  }
} finally {
  server.close();
  await browser.close();
}
t.finish("browser tools");
