// Right-to-left layout in Chromium (node rtl.mjs <public-dir>): an Arabic page mirrors the
// theme through logical CSS properties, and stays accessible.
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
} finally {
  await browser.close();
}
t.finish("browser rtl");
