// The 404 page as static hosts serve it (node notfound.mjs <public-dir> <path-prefix>): the
// site is served under <path-prefix> (`/`, or `/sub/` for a site in a sub-folder) and a missing
// URL at any depth gets 404.html. The page must be styled, load nothing that fails, speak every
// language of the site, and lead to pages that exist.
import { launch, serve, guardedPage, visit, axe, runner, siteLanguages } from "./lib.mjs";

const [site, prefix] = process.argv.slice(2);
const t = runner();
const languages = siteLanguages(site);
const browser = await launch();
const server = await serve(site, prefix);
try {
  const context = await browser.newContext();
  const page = await guardedPage(context, server.base.replace(/\/[^/]*\/?$/, "/"));
  for (const missing of ["no/such/page.html", "no/such/folder/at/depth/five.html", `${languages[0]}/no/such/page.html`]) {
    await t.step(`404 under ${prefix} for ${missing}`, async () => {
      const problems = await visit(page, server.base + missing);
      const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      if (!font.includes("system-ui")) problems.push(`stylesheet not applied (font ${font})`);
      const spoken = await page.$$eval(".not-found-message[lang]", (sections) => sections.map((s) => s.getAttribute("lang")));
      if (spoken.join(" ") !== languages.join(" ")) problems.push(`messages in ${spoken.join(", ")}, site has ${languages.join(", ")}`);
      // Every link leads to a file of the site (the host answers 200), wherever the 404 is shown.
      const links = await page.$$eval("a[href]:not([href^='#'])", (as) => as.map((a) => a.href.split("#")[0]));
      for (const link of [...new Set(links)]) {
        if (!link.startsWith(server.base)) {
          problems.push(`link outside the site: ${link}`);
          continue;
        }
        const status = (await page.request.get(link)).status();
        if (status !== 200) problems.push(`link ${link}: HTTP ${status}`);
      }
      problems.push(...(await axe(page)));
      return problems;
    });
  }
  await t.step(`404 under ${prefix}: the home link of a language opens it`, async () => {
    const problems = await visit(page, server.base + "no/such/page.html");
    const lang = languages[languages.length - 1];
    await page.click(`.not-found-message[lang="${lang}"] a`);
    if (page.url() !== `${server.base}${lang}/index.html`) problems.push(`led to ${page.url()}`);
    return problems;
  });
  await context.close();
} finally {
  server.close();
  await browser.close();
}
t.finish("browser 404");
