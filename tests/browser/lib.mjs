// Shared helpers of the browser tests: the system Chromium driven by playwright-core, a
// static server on 127.0.0.1 for the HTTP runs, and guards that fail a test on a request
// leaving the site, a CSP violation or a script error.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const MIME = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".xml": "application/xml",
  ".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
};

export async function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run"],
  });
}

/**
 * Serves `dir` on 127.0.0.1 (a random port) under the path `prefix` (`/`, or `/portal/` for a
 * site hosted in a sub-folder); a missing file gets the site's 404.html with status 404, as
 * static hosts do. Resolves to { base, close }.
 */
export function serve(dir, prefix = "/") {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const inside = url.pathname.startsWith(prefix);
    let file = path.join(root, decodeURIComponent(inside ? url.pathname.slice(prefix.length - 1) : "/no-such-file"));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      res.writeHead(404, { "content-type": MIME[".html"] });
      res.end(fs.readFileSync(path.join(root, "404.html")));
      return;
    }
    res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    resolve({ base: `http://127.0.0.1:${server.address().port}${prefix}`, close: () => server.close() });
  }));
}

export function fileBase(dir) {
  return pathToFileURL(path.resolve(dir)).href + "/";
}

/**
 * Opens a page that records every problem: requests outside `base`, CSP violations, script
 * errors and console errors. `page.problems` lists them.
 */
export async function guardedPage(context, base) {
  const page = await context.newPage();
  page.problems = [];
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(base) && !url.startsWith("data:") && !url.startsWith("blob:")) {
      page.problems.push(`request left the site: ${url}`);
    }
  });
  page.on("pageerror", (err) => page.problems.push(`script error: ${err.message}`));
  // A stylesheet, script or image that fails to load, over HTTP (an error status) or from disk.
  page.on("response", (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== "document") {
      page.problems.push(`HTTP ${res.status()} for ${res.url()}`);
    }
  });
  page.on("requestfailed", (req) => {
    const error = req.failure()?.errorText || "";
    // ERR_ABORTED is a load the page itself gave up (it navigated away), not a missing file.
    if (req.resourceType() !== "document" && !error.includes("ERR_ABORTED")) {
      page.problems.push(`failed to load ${req.url()}: ${error}`);
    }
  });
  page.on("console", (msg) => {
    if (msg.type() === "error" && !(page.expect404 && msg.text().includes("404"))) {
      page.problems.push(`console error: ${msg.text()}`);
    }
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window.__csp = window.__csp || []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return page;
}

/** Loads `url` and fails on anything `guardedPage` recorded or on a CSP violation. */
export async function visit(page, url) {
  page.problems.length = 0;
  page.expect404 = url.includes("/no/such/");
  const response = await page.goto(url, { waitUntil: "load" });
  if (response && response.ok() === page.expect404) page.problems.push(`HTTP ${response.status()} for ${url}`);
  await page.waitForTimeout(50);
  const csp = await page.evaluate(() => window.__csp || []);
  for (const v of csp) page.problems.push(`CSP violation: ${v}`);
  return page.problems.slice();
}

/**
 * One page of each type in `lang` of the built site in `site` (the paths exist in every
 * language: fallbacks fill gaps), by type name.
 */
export function pageTypes(site, lang) {
  const pick = (dir) => {
    const files = fs.readdirSync(path.join(site, lang, dir)).filter((f) => f.endsWith(".html") && f !== "index.html").sort();
    return `${lang}/${dir}/${files[0]}`;
  };
  return {
    home: `${lang}/index.html`,
    section: `${lang}/guidance/index.html`,
    guidance: `${lang}/guidance/backups.html`,
    tool: `${lang}/tools/self-assessment.html`,
    checklist: `${lang}/tools/monthly-backup-check.html`,
    template: `${lang}/tools/incident-response-plan.html`,
    training: `${lang}/training/phishing/index.html`,
    lesson: pick("training/phishing"),
    news: pick("news"),
    help: `${lang}/help.html`,
    about: `${lang}/about.html`,
    accessibility: `${lang}/accessibility.html`,
    privacy: `${lang}/privacy.html`,
    taxonomy: `${lang}/audience/small-practice.html`,
    terms: `${lang}/topics/index.html`,
    search: `${lang}/search.html`,
  };
}

/** Languages of the built site in `site`: the folders with an index.html, sorted. */
export function siteLanguages(site) {
  return fs.readdirSync(site).filter((d) => fs.existsSync(path.join(site, d, "index.html"))).sort();
}

/**
 * Runs axe-core (default rules: WCAG 2.1 A/AA and best practices) on the page, or on the part
 * `context` selects; returns violations.
 */
export async function axe(page, context = null) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (context) => {
    // No preload: axe would fetch the stylesheets by XHR, which Chromium blocks on file://,
    // and the console errors it logs arrive late enough to be blamed on the next page visited.
    const result = await window.axe.run(context || document, { resultTypes: ["violations"], preload: false });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  }, context);
}

/** WCAG contrast ratio of two CSS colours given as `rgb(r, g, b)` / `rgba(r, g, b, a)`. */
export function contrast(a, b) {
  const luminance = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** A tiny test runner: named checks, all run, failures listed, non-zero exit on failure. */
export function runner() {
  const failures = [];
  let passed = 0;
  return {
    /** Runs `body` (which returns a list of problems); an exception counts as a failure. */
    async step(name, body) {
      try {
        this.check(name, await body());
      } catch (e) {
        this.check(name, [`threw: ${e.message.split("\n")[0]}`]);
      }
    },
    check(name, problems) {
      if (problems.length) {
        failures.push(`${name}:\n    ${problems.join("\n    ")}`);
        console.log(`FAIL ${name}:\n    ${problems.join("\n    ")}`);
      } else {
        passed += 1;
      }
    },
    finish(label) {
      console.log(`${label}: ${passed} passed, ${failures.length} failed`);
      if (failures.length) {
        process.exitCode = 1;
      }
    },
  };
}
