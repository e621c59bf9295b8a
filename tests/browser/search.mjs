// Search in Chromium (node search.mjs <public-dir>), over file:// and HTTP: in each language a
// query typed in the header combobox finds the page that holds it, arrow keys and Enter open
// the right section; the search page filters and shows excerpts; a query full of HTML renders
// as text; no request leaves the site; the CSP holds; axe finds nothing with results open.
import { launch, serve, fileBase, guardedPage, visit, axe, runner } from "./lib.mjs";

const site = process.argv[2];
const t = runner();
// The "restore test" heading of the monthly backup check, in each language (stable id).
const QUERIES = { en: "restore test", it: "test di ripristino", nl: "hersteltest", zh: "恢复测试" };
const TARGET = "tools/monthly-backup-check.html#restore-test";
const PAGE_TITLES = { en: "Monthly backup check", it: "Controllo mensile dei backup", nl: "Maandelijkse back-upcontrole", zh: "每月备份检查" };

const browser = await launch();
const server = await serve(site);
try {
  for (const [mode, base] of [["file", fileBase(site)], ["http", server.base]]) {
    const context = await browser.newContext();
    const page = await guardedPage(context, base);
    let dialogs = 0;
    page.on("dialog", (d) => { dialogs += 1; d.dismiss(); });

    for (const [lang, query] of Object.entries(QUERIES)) {
      await t.step(`${mode} ${lang}: combobox finds and opens the section`, async () => {
        const problems = await visit(page, `${base}${lang}/guidance/backups.html`);
        await page.keyboard.press("/");
        const focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute("role"));
        if (focused !== "combobox") problems.push(`"/" focused ${focused}`);
        await page.keyboard.type(query, { delay: 20 });
        // Options of the whole query, not of a prefix typed on the way (a later render would
        // reset the active option under the arrow keys).
        await page.waitForSelector(`[role=listbox][data-query="${query}"]:not([hidden]) [role=option]`, { timeout: 10000 });
        const status = await page.textContent("form[data-search-box] [role=status]");
        if (!/\d/.test(status || "")) problems.push(`result count not announced: "${status}"`);
        const titles = await page.$$eval("[role=listbox] [role=option] .search-option-title", (els) => els.map((e) => e.textContent));
        // Titles read "Page › Section": pick the option of the target section, reach it with the
        // arrow keys (each step must mark the active option), and open it with Enter.
        const wanted = titles.findIndex((title) => title.startsWith(PAGE_TITLES[lang]) && title.toLowerCase().includes(query));
        if (wanted < 0) {
          problems.push(`no option for the section "${query}": ${titles.join(" | ")}`);
          return problems;
        }
        for (let i = 0; i <= wanted; i += 1) {
          await page.keyboard.press("ArrowDown");
          const active = await page.getAttribute("input[role=combobox]", "aria-activedescendant");
          if ((await page.getAttribute(`#${active}`, "aria-selected")) !== "true") problems.push(`option ${active} not marked selected`);
        }
        await page.keyboard.press("Enter");
        await page.waitForURL((u) => u.href.includes("monthly-backup-check"), { timeout: 10000 });
        const url = decodeURIComponent(page.url());
        if (!url.endsWith(`${lang}/${TARGET}`)) problems.push(`opened ${url}, not ${lang}/${TARGET}`);
        const anchor = url.split("#")[1];
        const exists = await page.evaluate((id) => !!document.getElementById(id), anchor);
        if (!exists) problems.push(`no element #${anchor} on ${url}`);
        problems.push(...page.problems);
        return problems;
      });

      await t.step(`${mode} ${lang}: search page finds the target section`, async () => {
        const problems = await visit(page, `${base}${lang}/search.html?q=${encodeURIComponent(query)}`);
        await page.waitForSelector(".search-results li a", { timeout: 10000 });
        const hrefs = await page.$$eval(".search-results li a", (as) => as.map((a) => decodeURIComponent(a.getAttribute("href"))));
        if (!hrefs.slice(0, 5).some((h) => h.endsWith(TARGET))) problems.push(`${TARGET} not in the top 5: ${hrefs.slice(0, 5).join(", ")}`);
        const marks = await page.$$eval(".search-results mark", (m) => m.length);
        if (marks === 0) problems.push("no highlighted match in the excerpts");
        if (mode === "file") problems.push(...(await axe(page)));
        problems.push(...page.problems);
        return problems;
      });
    }

    await t.step(`${mode}: a query made of HTML is shown as text`, async () => {
      const evil = `<img src=x onerror=alert(1)><script>alert(2)</script>"'&`;
      const problems = await visit(page, `${base}en/search.html?q=${encodeURIComponent(evil)}`);
      await page.fill("#search-page-input", evil + " backup");
      await page.keyboard.press("Enter");
      await page.waitForTimeout(800);
      const injected = await page.$$eval("main img, main script", (els) => els.length);
      if (injected > 0) problems.push(`${injected} elements injected into the page`);
      await page.fill("input[role=combobox]", evil).catch(() => {});
      const value = await page.inputValue("#search-page-input");
      if (!value.includes("<img")) problems.push("the query text was altered");
      if (dialogs > 0) problems.push(`${dialogs} dialogs opened: script ran`);
      problems.push(...page.problems);
      return problems;
    });
    await context.close();
  }
} finally {
  server.close();
  await browser.close();
}
t.finish("browser search");
