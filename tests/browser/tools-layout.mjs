// Layout of the tool pages (node tools-layout.mjs <public-dir> <screenshot-dir>), over file://:
// in every language, at 390x844 (a phone) and 1280x800 (a laptop), in the light and the dark
// colour scheme, each tool page type as it first opens and once used (a result shown, a quiz
// graded, a check saved, a certificate earned) is no wider than the screen. Screenshots of
// every state in English and Chinese, at both widths, go to <screenshot-dir> for a reviewer to
// look at (no image comparison). axe-core runs on the used states in the dark scheme.
import fs from "node:fs";
import path from "node:path";
import { launch, fileBase, guardedPage, visit, axe, runner } from "./lib.mjs";

const [site, shots] = process.argv.slice(2);
const t = runner();
const languages = fs.readdirSync(site).filter((d) => fs.existsSync(path.join(site, d, "index.html"))).sort();
const base = fileBase(site);
const SIZES = [[390, 844], [1280, 800]];
const SCREENSHOT_LANGUAGES = ["en", "zh"];

/** Puts the page of a state into its used form. */
const USE = {
  async assessment(page) {
    const data = await page.evaluate(() => JSON.parse(document.getElementById("assessment-data").textContent));
    const scale = data.answers.map((a) => a.id);
    let i = 0;
    for (const theme of data.themes) {
      for (const q of theme.questions) await page.check(`#assessment-form input[name="${q.id}"][value="${scale[i++ % scale.length]}"]`);
    }
    await page.click("#assessment-form button[type=submit]");
  },
  async checklist(page) {
    const boxes = await page.$$(".content input.task");
    await boxes[0].check();
    await page.fill("[data-run-by]", "Dr. Anna Bianchi-Verhoeven");
    await page.fill("[data-run-note]", "Restored the appointments folder from the offline drive in 12 minutes; all files opened.");
    await page.click("[data-action='record']");
    await boxes[1].check();
  },
  async quiz(page) {
    const data = await page.evaluate(() => JSON.parse(document.getElementById("training-data").textContent));
    data.quiz.questions.forEach((q, i) => {
      q.pick = i % 2 ? q.correct : q.options.find((o) => o.id !== q.correct).id;
    });
    for (const q of data.quiz.questions) await page.check(`input[name="quiz-${q.id}"][value="${q.pick}"]`);
    await page.click("[data-quiz-form] button[type=submit]");
  },
  async certificate(page, lang) {
    const data = await page.evaluate(() => JSON.parse(document.getElementById("training-data").textContent));
    const key = `hcp:training:${lang}/training/phishing`;
    await page.evaluate(([k, lessons]) => {
      window.localStorage.setItem(k, JSON.stringify({ lessons, quiz: null, completed: { date: "2026-11-02", percent: 100 } }));
    }, [key, data.lessons.map((l) => l.id)]);
    await page.reload();
    await page.fill("#certificate-name", "Dr. Anna Bianchi-Verhoeven");
  },
};

function states(lang) {
  return [
    ["tool", `${lang}/tools/self-assessment.html`, null],
    ["tool-result", `${lang}/tools/self-assessment.html`, "assessment"],
    ["checklist", `${lang}/tools/ransomware-first-hour.html`, null],
    ["checklist-runs", `${lang}/tools/monthly-backup-check.html`, "checklist"],
    ["template", `${lang}/tools/incident-response-plan.html`, null],
    ["training", `${lang}/training/phishing/index.html`, null],
    ["training-graded", `${lang}/training/phishing/index.html`, "quiz"],
    ["training-certificate", `${lang}/training/phishing/index.html`, "certificate"],
    ["lesson", `${lang}/training/phishing/01-what-phishing-looks-like.html`, null],
  ];
}

/** Horizontal overflow: the document, and any element sticking out of the screen. */
async function overflow(page) {
  return page.evaluate(() => {
    const out = [];
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width) out.push(`page is ${document.documentElement.scrollWidth} px wide on a ${width} px screen`);
    for (const el of document.querySelectorAll("main *")) {
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height) continue;
      // Inside a scrolling wrapper (wide tables), sticking out is what scrolling is for.
      if (el.closest(".table-wrap") && !el.classList.contains("table-wrap")) continue;
      if (box.right > width + 1 || box.left < -1) {
        out.push(`${el.tagName.toLowerCase()}.${typeof el.className === "string" ? el.className : ""} spans ${Math.round(box.left)}..${Math.round(box.right)}`);
      }
    }
    return out.slice(0, 5);
  });
}

const browser = await launch();
try {
  for (const scheme of ["light", "dark"]) {
    for (const [width, height] of SIZES) {
      const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
      const page = await guardedPage(context, base);
      for (const lang of languages) {
        for (const [name, rel, use] of states(lang)) {
          await t.step(`${scheme} ${width}px ${lang} ${name}`, async () => {
            const problems = await visit(page, base + rel);
            await page.evaluate(() => window.localStorage.clear());
            await page.reload();
            if (use) await USE[use](page, lang);
            await page.waitForTimeout(50);
            problems.push(...(await overflow(page)));
            if (use && scheme === "dark" && width === 390) problems.push(...(await axe(page)).map((v) => `axe: ${v}`));
            if (scheme === "light" && SCREENSHOT_LANGUAGES.includes(lang)) {
              await page.screenshot({ path: path.join(shots, `${lang}-${width}-${name}.png`), fullPage: true });
            }
            problems.push(...page.problems);
            return problems;
          });
        }
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
t.finish("browser tool layout");
