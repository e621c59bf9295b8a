// Browser tests of the built portal (node site.mjs <public-dir>): every page type in every
// language, over file:// and over HTTP, with no CSP violation, no request leaving the site,
// no script error and no axe-core violation; navigation, the language switcher and the root
// language choice.
import { launch, serve, fileBase, guardedPage, visit, axe, runner, pageTypes, siteLanguages } from "./lib.mjs";

const site = process.argv[2];
const t = runner();
const languages = siteLanguages(site);

const browser = await launch();
const server = await serve(site);
try {
  for (const [mode, base] of [["file", fileBase(site)], ["http", server.base]]) {
    const context = await browser.newContext();
    const page = await guardedPage(context, base);
    const pages = { root: "index.html#choose" };
    if (mode === "http") pages["404"] = "no/such/page.html";
    for (const lang of languages) {
      for (const [type, rel] of Object.entries(pageTypes(site, lang))) pages[`${lang} ${type}`] = rel;
    }
    for (const [name, rel] of Object.entries(pages)) {
      const problems = await visit(page, base + rel);
      const css = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      if (!css.includes("system-ui")) problems.push(`stylesheet not applied (font ${css})`);
      // axe once per page (file://); CSP and requests in both modes.
      if (mode === "file") problems.push(...(await axe(page)));
      t.check(`${mode} ${name} (${rel})`, problems);
    }

    // Navigation: main menu -> section -> article -> language switcher -> same page in Italian.
    await t.step(`${mode} navigation and language switcher`, async () => {
      const problems = await visit(page, base + "en/index.html");
      await page.click(".main-nav a >> nth=0");
      if (!page.url().endsWith("en/guidance/index.html")) problems.push(`main nav led to ${page.url()}`);
      await page.click(".card-list a[href$='backups.html']");
      if (!page.url().endsWith("en/guidance/backups.html")) problems.push(`card led to ${page.url()}`);
      await page.click(".language-switcher summary");
      await page.click(".language-switcher a[hreflang='it']");
      if (!page.url().endsWith("it/guidance/backups.html")) problems.push(`switcher led to ${page.url()}`);
      if ((await page.getAttribute("html", "lang")) !== "it") problems.push("switched page is not lang=it");
      await page.click(".breadcrumbs a >> nth=0");
      if (!page.url().endsWith("it/index.html")) problems.push(`breadcrumb led to ${page.url()}`);
      problems.push(...page.problems);
      return problems;
    });
    await context.close();

    // The root page moves a reader to their browser's language, unless they came to choose.
    for (const [locale, expected] of [["it-IT", "it/index.html"], ["nl-BE", "nl/index.html"], ["zh-CN", "zh/index.html"], ["fi-FI", "index.html"]]) {
      const ctx = await browser.newContext({ locale });
      const p = await guardedPage(ctx, base);
      const problems = await visit(p, base + "index.html");
      await p.waitForLoadState("load");
      if (!p.url().endsWith(expected) || (expected === "index.html" && p.url().endsWith("/it/index.html"))) {
        problems.push(`locale ${locale} landed on ${p.url()}`);
      }
      t.check(`${mode} root language choice for ${locale}`, problems);
      await ctx.close();
    }
  }
} finally {
  server.close();
  await browser.close();
}
t.finish("browser site");
