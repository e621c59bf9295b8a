// Right-to-left layout in Chromium (node rtl.mjs <public-dir>): an Arabic page mirrors the
// theme through logical CSS properties, stays accessible, and shows the English titles of its
// untranslated pages (cards, breadcrumbs, section list) left to right, marked as English.
import { launch, fileBase, guardedPage, visit, axe, runner } from "./lib.mjs";

const site = process.argv[2];
const t = runner();
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const base = fileBase(site);
  const page = await guardedPage(context, base);
  for (const [lang, rel] of [["ar", "ar/guidance/index.html"], ["en", "en/guidance/index.html"]]) {
    await t.step(`${lang} direction and layout`, async () => {
      const problems = await visit(page, base + rel);
      const layout = await page.evaluate(() => {
        const box = (sel) => document.querySelector(sel).getBoundingClientRect();
        return {
          direction: getComputedStyle(document.documentElement).direction,
          brand: box(".brand").left,
          search: box(".search-box").left,
          firstCrumb: box(".breadcrumbs li:first-child").left,
          lastCrumb: box(".breadcrumbs li:last-child").left,
          navBorderRight: parseFloat(getComputedStyle(document.querySelector(".section-nav ul")).borderRightWidth),
          navBorderLeft: parseFloat(getComputedStyle(document.querySelector(".section-nav ul")).borderLeftWidth),
        };
      });
      const rtl = lang === "ar";
      if (layout.direction !== (rtl ? "rtl" : "ltr")) problems.push(`direction ${layout.direction}`);
      // In RTL the brand starts at the right edge and the search box moves to the left.
      if (rtl !== layout.brand > layout.search) problems.push(`brand at ${layout.brand}, search at ${layout.search}`);
      if (rtl !== layout.firstCrumb > layout.lastCrumb) problems.push(`breadcrumbs run the wrong way: ${layout.firstCrumb} -> ${layout.lastCrumb}`);
      // Logical properties: the section list's border-inline-start is on the right in RTL.
      if (rtl !== layout.navBorderRight > layout.navBorderLeft) problems.push(`section nav border: left ${layout.navBorderLeft}, right ${layout.navBorderRight}`);
      problems.push(...(await axe(page)));
      return problems;
    });
  }
  // English titles of untranslated pages inside the Arabic site carry lang="en" and their own
  // direction, so that "Does NIS2 apply to me?" does not render as "?Does NIS2 apply to me".
  const TITLE = "Does NIS2 apply to me?";
  for (const rel of ["ar/guidance/index.html", "ar/guidance/apply.html"]) {
    await t.step(`ar: English titles keep their direction (${rel})`, async () => {
      const problems = await visit(page, base + rel);
      const found = await page.evaluate((title) => {
        const out = [];
        const all = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = all.nextNode(); node; node = all.nextNode()) {
          if (node.textContent.trim() !== title) continue;
          const element = node.parentElement;
          const marked = element.closest("[lang]");
          const text = node.textContent;
          const range = document.createRange();
          const at = (i) => { range.setStart(node, i); range.setEnd(node, i + 1); return range.getBoundingClientRect().left; };
          const first = text.indexOf("D");
          const last = text.lastIndexOf("?");
          out.push({
            where: element.closest("nav, article, .card, h1, main")?.className || element.tagName,
            lang: marked ? marked.getAttribute("lang") : null,
            dir: getComputedStyle(element).direction,
            questionMarkAfterD: at(last) > at(first),
          });
        }
        return out;
      }, TITLE);
      if (found.length === 0) problems.push(`"${TITLE}" is not on the page`);
      for (const f of found) {
        if (f.lang !== "en") problems.push(`${f.where}: marked lang=${f.lang}`);
        if (f.dir !== "ltr") problems.push(`${f.where}: direction ${f.dir}`);
        if (!f.questionMarkAfterD) problems.push(`${f.where}: the question mark renders before the title`);
      }
      problems.push(...(await axe(page)));
      return problems;
    });
  }
} finally {
  await browser.close();
}
t.finish("browser rtl");
