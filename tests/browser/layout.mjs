// What a reader sees (node layout.mjs <public-dir> <screenshot-dir>), over file://, at a phone's
// 390x844 and a laptop's 1280x800, in the light and the dark colour scheme, in every language:
// - no page type scrolls sideways, nor with the search suggestions, the language menu or the
//   phone menu open, nor while the arrow keys move through the suggestions;
// - every open popup lies inside the window;
// - the header has one shape in every language, its controls are at least 44 px tall and take
//   at most a fifth of a phone's screen;
// - every header control shows a focus ring of 3:1 against what surrounds it (WCAG 1.4.11);
// - axe-core finds nothing in the dark colour scheme, with the popups open, with search results
//   and a graded quiz shown, and with the focus on each header control;
// - screenshots of every page type in en and zh, both widths and schemes, for a reviewer.
import fs from "node:fs";
import path from "node:path";
import { launch, serve, fileBase, guardedPage, visit, axe, runner, pageTypes, siteLanguages, contrast } from "./lib.mjs";

// A third argument `http` runs the same over HTTP (the test suite runs it over file://, where
// the reader with the site on a USB stick is; site.mjs covers every page over HTTP).
const [site, shots, mode = "file"] = process.argv.slice(2);
const t = runner();
const languages = siteLanguages(site);
const server = mode === "http" ? await serve(site) : null;
const base = server ? server.base : fileBase(site);
const SIZES = [{ width: 390, height: 844 }, { width: 1280, height: 800 }];
const SCHEMES = ["light", "dark"];
// Words with many hits in each language: the longest suggestion lists.
const QUERY = { en: "backup", it: "backup", nl: "back-up", zh: "备份" };
const SCREENSHOT_LANGUAGES = ["en", "zh"];
const TAP = 44;
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });

/** Problems if the page is wider than the window, or has scrolled sideways. */
async function overflow(page, what) {
  const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth, x: scrollX }));
  const problems = [];
  if (m.scroll > m.width) problems.push(`${what}: page is ${m.scroll} px wide in a ${m.width} px window`);
  if (m.x !== 0) problems.push(`${what}: page scrolled sideways by ${m.x} px`);
  return problems;
}

/** Problems if the element `selector` is not visible or not wholly inside the window. */
async function insideWindow(page, selector, what) {
  const r = await page.evaluate((selector) => {
    const e = document.querySelector(selector);
    if (!e) return null;
    const b = e.getBoundingClientRect();
    return { left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width, w: innerWidth, h: innerHeight };
  }, selector);
  if (!r || r.width === 0) return [`${what}: ${selector} is not shown`];
  const round = (v) => Math.round(v);
  if (r.left < 0 || r.right > r.w + 0.5 || r.top < 0 || r.bottom > r.h + 0.5) {
    return [`${what}: ${selector} spans x ${round(r.left)}..${round(r.right)}, y ${round(r.top)}..${round(r.bottom)} in a ${r.w}x${r.h} window`];
  }
  return [];
}

/** The header's shape: the box of each part, rounded, for comparing languages. */
async function headerShape(page) {
  return page.evaluate(() => {
    const parts = [".site-header", ".emergency", ".brand", ".menu-toggle", ".search-box", ".language-switcher summary", ".main-nav"];
    return parts.map((sel) => {
      const e = document.querySelector(sel);
      if (!e || !e.getClientRects().length) return `${sel}: hidden`;
      const b = e.getBoundingClientRect();
      return `${sel}: y ${Math.round(b.top)} h ${Math.round(b.height)}`;
    }).join(", ");
  });
}

/** Header controls shorter than a 44 px touch target (the phone's header). */
async function smallTargets(page) {
  return page.evaluate((tap) => [...document.querySelectorAll(
    ".site-header a, .site-header button, .site-header summary, .site-header input",
  )].filter((e) => e.getClientRects().length && !e.closest(".visually-hidden, .language-switcher ul"))
    .map((e) => [e, e.getBoundingClientRect()])
    .filter(([, b]) => b.height < tap - 0.5)
    .map(([e, b]) => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 30)}" is ${Math.round(b.height)} px tall`), TAP);
}

/** Puts the focus on the skip link (before the header), so that Tab enters the header next. */
async function startTabbing(page) {
  await page.evaluate(() => { window.scrollTo(0, 0); document.querySelector(".skip-link").focus(); });
}

/** Tabs through the header: for each control, its focus ring and what is behind it. */
async function headerFocusRings(page) {
  await startTabbing(page);
  const rings = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    const ring = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || !e.closest(".site-header")) return null;
      const style = getComputedStyle(e);
      // What the ring is drawn on: the nearest ancestor with a background of its own.
      let behind = e.parentElement;
      while (behind && getComputedStyle(behind).backgroundColor.replace(/\s/g, "") === "rgba(0,0,0,0)") behind = behind.parentElement;
      return {
        name: `${e.tagName.toLowerCase()} "${(e.textContent || e.getAttribute("placeholder") || "").trim().slice(0, 30)}"`,
        style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor,
        behind: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
      };
    });
    if (!ring) {
      if (rings.length) break;
      continue;
    }
    rings.push(ring);
  }
  return rings;
}

/** Types the language's query into the header search and waits for its suggestions. */
async function openSuggestions(page, lang) {
  await page.click("#search-box-input");
  await page.fill("#search-box-input", "");
  await page.keyboard.type(QUERY[lang], { delay: 10 });
  await page.waitForSelector(`#search-box-listbox[data-query="${QUERY[lang]}"]:not([hidden]) [role=option]`, { timeout: 10000 });
}

async function closePopups(page) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.evaluate(() => {
    document.querySelectorAll(".language-switcher details[open]").forEach((d) => { d.open = false; });
    if (document.activeElement) document.activeElement.blur();
  });
}

/** Switches the page between the light and the dark colour scheme without reloading it. */
async function scheme(page, name) {
  await page.emulateMedia({ colorScheme: name });
}

/** Runs `body(schemeName)` once in each colour scheme, returning the problems of both. */
async function inBothSchemes(page, body) {
  const problems = [];
  for (const name of SCHEMES) {
    await scheme(page, name);
    problems.push(...(await body(name)).map((p) => `${name}: ${p}`));
  }
  await scheme(page, "light");
  return problems;
}

async function run(size, browser) {
  const label = `${size.width}`;
  const context = await browser.newContext({ viewport: size, colorScheme: "light" });
  const page = await guardedPage(context, base);
  const shapes = {};
  for (const lang of languages) {
    const reviewed = SCREENSHOT_LANGUAGES.includes(lang);
    // Every page type: no sideways scrolling in either scheme; screenshots and (laptop) axe in
    // the dark scheme for a Latin and a Chinese language. site.mjs runs axe in the light
    // scheme on every page of every language; contrast depends on the scheme, not the words.
    for (const [type, rel] of Object.entries(pageTypes(site, lang))) {
      const problems = await visit(page, base + rel);
      problems.push(...(await inBothSchemes(page, async (name) => {
        const found = await overflow(page, "page");
        if (reviewed) {
          // The whole page in the light scheme; the first screen in the dark one.
          await page.screenshot({ path: path.join(shots, `${lang}-${type}-${size.width}-${name}.png`), fullPage: name === "light" });
          if (name === "dark" && size.width === 1280) found.push(...(await axe(page)));
        }
        return found;
      })));
      t.check(`${label} ${lang} ${type} (${rel})`, problems);
    }

    const rel = `${lang}/guidance/backups.html`;
    await t.step(`${label} ${lang} header: one shape, large targets, visible focus`, async () => {
      const problems = await visit(page, base + rel);
      shapes[lang] = await headerShape(page);
      const header = await page.$eval(".site-header", (h) => h.getBoundingClientRect().height);
      if (size.width < 800 && header > size.height * 0.2) problems.push(`header is ${Math.round(header)} px, over a fifth of the screen`);
      problems.push(...(await smallTargets(page)));
      problems.push(...(await inBothSchemes(page, async () => {
        const found = [];
        const rings = await headerFocusRings(page);
        if (rings.length < 4) found.push(`only ${rings.length} header controls take the focus`);
        for (const ring of rings) {
          if (ring.style === "none" || ring.width < 2) found.push(`${ring.name}: no focus ring (${ring.style} ${ring.width}px)`);
          const ratio = contrast(ring.color, ring.behind);
          if (ratio < 3) found.push(`${ring.name}: focus ring ${ring.color} on ${ring.behind} is ${ratio.toFixed(2)}:1`);
        }
        // axe with the focus on each header control, in a Latin and a Chinese language.
        if (reviewed) {
          await startTabbing(page);
          for (let i = 0; i < rings.length; i++) {
            await page.keyboard.press("Tab");
            if (!(await page.evaluate(() => Boolean(document.activeElement && document.activeElement.closest(".site-header"))))) continue;
            found.push(...(await axe(page, ".site-header")).map((v) => `focus ${i}: ${v}`));
          }
        }
        await closePopups(page);
        return found;
      })));
      return problems;
    });

    await t.step(`${label} ${lang} search suggestions open`, async () => {
      const problems = await visit(page, base + rel);
      await openSuggestions(page, lang);
      problems.push(...(await inBothSchemes(page, async () => {
        const found = await overflow(page, "suggestions open");
        found.push(...(await insideWindow(page, "#search-box-listbox", "suggestions")));
        // The titles keep the page's colours, not the header's white.
        const colours = await page.$eval("#search-box-listbox .search-option-title", (e) => [getComputedStyle(e).color, getComputedStyle(e.closest("[role=listbox]")).backgroundColor]);
        if (contrast(...colours) < 4.5) found.push(`suggestion title ${colours[0]} on ${colours[1]}`);
        if (reviewed) found.push(...(await axe(page)));
        return found;
      })));
      for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
      problems.push(...(await overflow(page, "after ArrowDown")));
      problems.push(...(await insideWindow(page, "#search-box-listbox", "suggestions after ArrowDown")));
      problems.push(...(await inBothSchemes(page, async () => {
        const selected = await page.$eval("#search-box-listbox [aria-selected=true]", (e) => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]).catch(() => null);
        if (!selected) return ["ArrowDown selects no suggestion"];
        return contrast(...selected) < 4.5 ? [`selected suggestion ${selected[0]} on ${selected[1]}`] : [];
      })));
      await closePopups(page);
      return problems;
    });

    await t.step(`${label} ${lang} language menu open`, async () => {
      const problems = await visit(page, base + rel);
      await page.click(".language-switcher summary");
      problems.push(...(await inBothSchemes(page, async () => {
        const found = await overflow(page, "language menu open");
        found.push(...(await insideWindow(page, ".language-switcher ul", "language menu")));
        if (reviewed) found.push(...(await axe(page)));
        return found;
      })));
      // A click elsewhere closes it, as Escape does.
      await page.mouse.click(5, size.height - 5);
      if (await page.$eval(".language-switcher details", (d) => d.open)) problems.push("a click outside leaves the language menu open");
      return problems;
    });

    if (size.width < 800) {
      await t.step(`${label} ${lang} phone menu`, async () => {
        const problems = await visit(page, base + rel);
        if (await page.isVisible(".main-nav")) problems.push("the main menu is not folded on a phone");
        await page.click(".menu-toggle");
        if (!(await page.isVisible(".main-nav a"))) problems.push("the Menu button does not show the main menu");
        if ((await page.getAttribute(".menu-toggle", "aria-expanded")) !== "true") problems.push("Menu button not aria-expanded");
        problems.push(...(await inBothSchemes(page, async () => {
          const found = await overflow(page, "phone menu open");
          found.push(...(await insideWindow(page, ".main-nav", "phone menu")));
          if (reviewed) found.push(...(await axe(page, ".site-header")));
          return found;
        })));
        await page.keyboard.press("Escape");
        if (await page.isVisible(".main-nav")) problems.push("Escape leaves the main menu open");
        return problems;
      });
    }
  }

  // The header has the same shape in every language.
  const distinct = new Set(Object.values(shapes));
  t.check(`${label} header has one shape in every language`, distinct.size === 1 ? [] : Object.entries(shapes).map(([l, s]) => `${l}: ${s}`));

  // Results shown: the search page and a graded quiz (English is enough: same markup everywhere).
  await t.step(`${label} search results and filters`, async () => {
    const problems = await visit(page, `${base}en/search.html?q=${encodeURIComponent(QUERY.en)}`);
    await page.waitForSelector(".search-results li", { timeout: 10000 });
    problems.push(...(await inBothSchemes(page, async () => (await overflow(page, "results")).concat(await axe(page)))));
    return problems;
  });
  await t.step(`${label} graded quiz`, async () => {
    const problems = await visit(page, `${base}en/training/phishing/index.html`);
    const form = "[data-quiz-form]";
    if (!(await page.$(form))) return problems.concat("no quiz form");
    const names = await page.$$eval(`${form} input[type=radio]`, (inputs) => [...new Set(inputs.map((i) => i.name))]);
    for (const name of names) await page.check(`${form} input[type=radio][name="${name}"] >> nth=0`);
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector("[data-quiz-result]:not([hidden])", { timeout: 5000 });
    problems.push(...(await inBothSchemes(page, async () => (await overflow(page, "graded quiz")).concat(await axe(page)))));
    return problems;
  });
  await context.close();
}

const browser = await launch();
try {
  // The two widths side by side: one window per core.
  await Promise.all(SIZES.map((size) => run(size, browser)));
} finally {
  await browser.close();
  if (server) server.close();
}
console.log(`screenshots: ${fs.readdirSync(shots).length} files in ${shots}`);
t.finish("browser layout");
