// Count strings in Chromium (node plurals.mjs <public-dir>): the checklist progress line takes
// the Polish plural form Intl.PluralRules picks (3 -> few "punkty", 5 -> many "punktów") and the
// English one for English.
import { launch, fileBase, guardedPage, visit, runner } from "./lib.mjs";

const site = process.argv[2];
const t = runner();
const browser = await launch();
try {
  const context = await browser.newContext();
  const base = fileBase(site);
  const page = await guardedPage(context, base);
  for (const [rel, want] of [
    ["pl/tools/short-check.html", "Zaznaczone: 0; lista ma 3 punkty."],
    ["pl/tools/long-check.html", "Zaznaczone: 0; lista ma 5 punktów."],
    ["en/tools/short-check.html", "0 of 3 items ticked."],
  ]) {
    await t.step(`${rel} progress line`, async () => {
      const problems = await visit(page, base + rel);
      const shown = await page.textContent("[data-progress]");
      if (shown.trim() !== want) problems.push(`shows ${JSON.stringify(shown)}, want ${JSON.stringify(want)}`);
      return problems;
    });
  }
} finally {
  await browser.close();
}
t.finish("plurals");
