// Runs the browser search client (themes/default/static/js/search.js) in Node on an exported
// index and compares its answers with native Tantivy's.
//
// Usage: node tests/js/parity.mjs <dir>
//   <dir>/site/search/<lang>/...   the exported browser index (as `portal build` writes it)
//   <dir>/cases.json               [{ lang, query, kind?, audience?, pages?, limit, total, hits: [{ url, score }] }]
//
// Shards are evaluated as classic scripts in a vm context whose `window` is the context itself,
// as a browser would run them from <script src>. Exit code 1 on any difference; each failure
// prints the query and both result lists.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const clientPath = path.join(here, '..', '..', 'themes', 'default', 'static', 'js', 'search.js');

export function loadClient(siteDir) {
  const context = vm.createContext({ console, Map, Set, Promise, DataView, ArrayBuffer, Float64Array });
  context.window = context;
  vm.runInContext(fs.readFileSync(clientPath, 'utf8'), context, { filename: 'search.js' });
  const requestScript = (rel) => {
    const file = path.join(siteDir, rel);
    vm.runInContext(fs.readFileSync(file, 'utf8'), context, { filename: rel });
  };
  return {
    context,
    engine: (lang) => context.PortalSearch.createEngine(lang, requestScript),
  };
}

function relativeDifference(a, b) {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function show(list) {
  return list.map((h, i) => `    ${String(i + 1).padStart(2)}. ${h.score.toPrecision(9)}  ${h.url}`).join('\n') || '    (none)';
}

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tests/js/parity.mjs <dir>');
    process.exit(2);
  }
  const cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
  const client = loadClient(path.join(dir, 'site'));
  let failures = 0;

  // Tokenization: the client's surfaces equal Tantivy's (first half of the analyzer chain).
  const analysisFile = path.join(dir, 'analysis.json');
  if (fs.existsSync(analysisFile)) {
    for (const c of JSON.parse(fs.readFileSync(analysisFile, 'utf8'))) {
      const flat = (list) => JSON.stringify(list.map((s) => [s.text, s.from, s.to, s.cjk]));
      const got = flat(client.context.PortalSearch.analyze(c.text, c.mode));
      const want = flat(c.surfaces);
      if (got !== want) {
        failures += 1;
        console.log(`FAIL analysis [${c.mode}] ${JSON.stringify(c.text)}\n  tantivy: ${want}\n  client:  ${got}`);
      }
    }
  }

  const engines = new Map();
  const perLang = new Map();
  for (const c of cases) {
    if (!engines.has(c.lang)) engines.set(c.lang, client.engine(c.lang));
    const engine = engines.get(c.lang);
    const result = await engine.search(c.query, { limit: c.limit, kind: c.kind, audience: c.audience, pages: c.pages });
    const got = result.hits.map((h) => ({ url: h.url, score: h.score }));
    let problem = '';
    if (got.length !== c.hits.length) problem = `length ${got.length} != ${c.hits.length}`;
    for (let i = 0; !problem && i < got.length; i++) {
      if (got[i].url !== c.hits[i].url) problem = `rank ${i + 1}: url differs`;
      else if (relativeDifference(got[i].score, c.hits[i].score) > 1e-6) problem = `rank ${i + 1}: score differs`;
    }
    if (!problem && result.total !== c.total) problem = `total ${result.total} != ${c.total}`;
    const stats = perLang.get(c.lang) || { queries: 0, failures: 0 };
    stats.queries += 1;
    if (problem) {
      stats.failures += 1;
      failures += 1;
      if (failures <= 20) {
        const filters = [c.kind && `kind=${c.kind}`, c.audience && `audience=${c.audience}`].filter(Boolean).join(' ');
        console.log(`FAIL [${c.lang}] ${JSON.stringify(c.query)} ${filters} (${problem})`);
        console.log(`  native (total ${c.total}):\n${show(c.hits)}`);
        console.log(`  client (total ${result.total}):\n${show(got)}`);
      }
    }
    perLang.set(c.lang, stats);
  }
  // Lazy loading: a one-word query (no prefix) loads the manifest, its lexicon shard (an
  // unseen form or a compound may need a neighbouring one), at most one typo block, the
  // postings shard(s) of its planned terms and at most ten metadata batches, not the whole
  // index.
  let lazyChecked = 0;
  for (const c of cases) {
    if (!/^[\p{L}\p{N}]+ $/u.test(c.query) || c.lang === 'zh' || lazyChecked >= 200) continue;
    lazyChecked += 1;
    const engine = client.engine(c.lang);
    const planned = await engine.plan(c.query);
    await engine.search(c.query, { limit: 10 });
    const files = engine.loadedFiles();
    const count = (prefix) => files.filter((f) => path.basename(f).startsWith(prefix)).length;
    const lexicon = c.lang === 'nl' ? 4 : 2;
    if (count('d-') > lexicon || count('t-') > 1 || count('p-') > Math.max(1, planned.length) || count('m-') > 10 || count('f-') > 0) {
      failures += 1;
      console.log(`FAIL lazy loading [${c.lang}] ${JSON.stringify(c.query)} (${planned.length} terms) loaded ${files.join(', ')}`);
    }
  }
  console.log(`lazy loading checked on ${lazyChecked} one-word queries`);

  for (const [lang, stats] of perLang) {
    console.log(`${lang}: ${stats.queries} queries, ${stats.failures} differences`);
  }
  process.exit(failures ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
}
