// Measures the browser index written by `gen-corpus --search-bench` (or `portal build`):
// exported size, gzip bytes a reader downloads for a first one-word query (client script,
// manifest, the shards that query loads), and query time in Node.
//
// Usage: node tests/js/bench.mjs <public-dir> [lang ...] [--budget en=80032,zh=89903]
//
// With --budget, exits 1 when a language's first-query bytes exceed its budget (CI holds the
// first query to half of Pagefind's bytes on the same corpus; see BENCHMARKS.md).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { loadClient } from './parity.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const clientPath = path.join(here, '..', '..', 'themes', 'default', 'static', 'js', 'search.js');
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

// `index` (the manifest) or the prefix of a shard's name: d lexicon, p postings, m metadata, f filter.
function kindOf(file) {
  const base = path.basename(file);
  return base === 'index.js' ? 'index' : base.split('-')[0];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const args = process.argv.slice(2);
  const budgetAt = args.indexOf('--budget');
  const budget = new Map(budgetAt < 0 ? [] : (args[budgetAt + 1] || '').split(',').map((e) => {
    const [lang, bytes] = e.split('=');
    if (!lang || !(Number(bytes) > 0)) throw new Error(`--budget: \`${e}\` is not lang=bytes`);
    return [lang, Number(bytes)];
  }));
  if (budgetAt >= 0) args.splice(budgetAt, 2);
  const site = args[0];
  const langs = args.slice(1).length ? args.slice(1) : fs.readdirSync(path.join(site, 'search'));
  const over = [];
  const client = fs.readFileSync(clientPath);
  console.log(`client search.js: ${client.length} bytes, ${gz(client)} gzip`);
  console.log('lang  files  raw bytes   gzip bytes | 1st one-word query: files  gzip (incl. client) | query ms: median  p95 (warm; cpu median p95)');
  for (const lang of langs) {
    const files = walk(path.join(site, 'search', lang));
    const raw = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const gzip = files.reduce((n, f) => n + gz(fs.readFileSync(f)), 0);

    // A frequent content word of the synthetic corpus as the first query.
    const word = { en: 'hospital', it: 'ospedale', nl: 'ziekenhuis', zh: '医院' }[lang] || 'dane';
    const first = loadClient(site).engine(lang);
    await first.search(word, { limit: 10 });
    const loaded = first.loadedFiles();
    // What the first query's bytes are made of, by kind of file (see src/search/export.rs).
    const parts = { index: 0, d: 0, p: 0, m: 0 };
    let batches = 0;
    for (const rel of loaded) {
      const kind = kindOf(rel);
      parts[kind] = (parts[kind] || 0) + gz(fs.readFileSync(path.join(site, rel)));
      if (kind === 'm') batches += 1;
    }
    const firstBytes = gz(client) + Object.values(parts).reduce((a, b) => a + b, 0);
    const kinds = {};
    for (const f of files) kinds[kindOf(f)] = (kinds[kindOf(f)] || 0) + 1;

    // Query time with shards already loaded (parsing excluded): a sample of typed prefixes.
    const engine = loadClient(site).engine(lang);
    const samples = lang === 'zh'
      ? ['医院', '网络安全', '数据', '勒索软件', '备份', '系统', '医', '加密 VPN']
      : [word, word.slice(0, 4), `${word} data`, 'backup', 'security', 'sicurezza', 'netwerk', 'pro'];
    for (const q of samples) await engine.search(q, { limit: 10 });
    // Wall time, and CPU time of this process (on a shared machine the wall time of a query
    // includes the time other processes held the cores).
    const times = [];
    const cpu = [];
    for (let round = 0; round < 20; round++) {
      for (const q of samples) {
        const t = process.hrtime.bigint();
        const c = process.cpuUsage();
        await engine.search(q, { limit: 10 });
        const used = process.cpuUsage(c);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        cpu.push((used.user + used.system) / 1e3);
      }
    }
    const p95 = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)];
    const cpuP95 = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length * 0.95)];
    console.log(`${lang.padEnd(5)} ${String(files.length).padStart(5)} ${String(raw).padStart(10)} ${String(gzip).padStart(12)} | ` +
      `${JSON.stringify(word)}: ${loaded.length} files, ${firstBytes} B | ${median(times).toFixed(2)} ${p95.toFixed(2)} ` +
      `(cpu ${median(cpu).toFixed(2)} ${cpuP95.toFixed(2)})`);
    console.log(`      files by kind ${JSON.stringify(kinds)}; first query gzip: client ${gz(client)}, manifest ${parts.index}, ` +
      `lexicon ${parts.d}, postings ${parts.p}, metadata ${parts.m} (${batches} batches)`);
    if (budget.has(lang) && firstBytes > budget.get(lang)) over.push(`${lang}: ${firstBytes} B > budget ${budget.get(lang)} B`);
  }
  for (const lang of budget.keys()) if (!langs.includes(lang)) over.push(`${lang}: no index to measure`);
  if (over.length) {
    console.error(`first-query bytes over budget:\n  ${over.join('\n  ')}`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(2); });
