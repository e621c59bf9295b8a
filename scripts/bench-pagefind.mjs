// Measures Pagefind's first one-word query on a site it indexed, as a reader's browser loads it:
// headless Chromium over HTTP (Pagefind does not run from file://), a page per language that
// imports /pagefind/pagefind.js, searches one word and loads the ten first results' data (the
// fragments a results list shows). Every file the page requested is counted at its gzip -9
// size, except Pagefind's own index files, which it stores gzipped and which count as they are.
// The same words as tests/js/bench.mjs, so that the two rows compare.
//
// Usage: node scripts/bench-pagefind.mjs <site-dir-with-pagefind> [lang ...]
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

const WORDS = { en: 'hospital', it: 'ospedale', nl: 'ziekenhuis', zh: '医院' };
const MIME = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json' };

const site = path.resolve(process.argv[2] || '');
if (!fs.existsSync(path.join(site, 'pagefind', 'pagefind.js'))) {
  console.error('usage: node scripts/bench-pagefind.mjs <site-dir> (run `pagefind --site <site-dir>` first)');
  process.exit(2);
}
const langs = process.argv.slice(3).length ? process.argv.slice(3) : Object.keys(WORDS);

// The page that runs one query: /__bench/<lang>.html (not part of the site, not counted).
function benchPage(lang) {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>bench</title></head><body>
<script type="module">
const pagefind = await import('/pagefind/pagefind.js');
await pagefind.init();
const started = performance.now();
const search = await pagefind.search(${JSON.stringify(WORDS[lang])});
const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
window.benchResult = { total: search.results.length, shown: data.length, ms: performance.now() - started,
  urls: data.map((d) => d.url) };
</script></body></html>`;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const bench = url.pathname.match(/^\/__bench\/([a-z-]+)\.html$/);
  if (bench) { res.writeHead(200, { 'content-type': MIME['.html'] }).end(benchPage(bench[1])); return; }
  const file = path.join(site, decodeURIComponent(url.pathname));
  if (!file.startsWith(site + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
  res.end(fs.readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

function wireBytes(file) {
  const bytes = fs.readFileSync(file);
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return gzipped ? bytes.length : zlib.gzipSync(bytes, { level: 9 }).length;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
try {
  console.log('lang  word        files  gzip bytes  (script: pagefind*.js + wasm | index: meta, chunks | fragments)  results');
  for (const lang of langs) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requested = new Set();
    page.on('requestfinished', (req) => {
      const url = new URL(req.url());
      if (url.origin === base && !url.pathname.startsWith('/__bench/')) requested.add(decodeURIComponent(url.pathname));
    });
    await page.goto(`${base}/__bench/${lang}.html`);
    const result = await page.waitForFunction(() => window.benchResult, null, { timeout: 60000 }).then((h) => h.jsonValue());
    const parts = { script: 0, index: 0, fragments: 0 };
    for (const rel of requested) {
      const bytes = wireBytes(path.join(site, rel));
      const name = path.basename(rel);
      if (name.endsWith('.pf_fragment')) parts.fragments += bytes;
      else if (name.endsWith('.js') || name.includes('wasm')) parts.script += bytes;
      else parts.index += bytes;
    }
    const total = parts.script + parts.index + parts.fragments;
    console.log(`${lang.padEnd(5)} ${WORDS[lang].padEnd(11)} ${String(requested.size).padStart(5)} ${String(total).padStart(11)}  ` +
      `(${parts.script} | ${parts.index} | ${parts.fragments})  ${result.shown} of ${result.total}`);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
