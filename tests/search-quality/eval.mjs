// Search quality on the evaluation set (tests/search-quality/<lang>.txt, see README.md): runs
// every query through the browser client (themes/default/static/js/search.js, which ranks like
// `portal search`; tests/js/parity.mjs checks that) on a built site, and prints success@1,
// success@5, MRR@10 and the queries without any result, per language and kind.
//
// Usage: node tests/search-quality/eval.mjs <public-dir> [--check] [--show] [lang ...]
//   --check  exit 1 when a target of issue 18 is missed (see README.md)
//   --show   print every query that misses its pages in the top 5, with what came first

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClient } from '../js/parity.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The queries of one language: [{ kind, query, expect: Set of page paths }]. */
export function loadSet(lang) {
  const text = fs.readFileSync(path.join(here, `${lang}.txt`), 'utf8');
  return text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((line, i) => {
    const parts = line.split(' | ');
    if (parts.length !== 3) throw new Error(`${lang}.txt:${i + 1}: expected "kind | query | pages"`);
    return { kind: parts[0].trim(), query: parts[1], expect: new Set(parts[2].trim().split(/\s+/)) };
  });
}

/** Distinct pages of a result list, best first (a page ranks by its best section). */
export function pagesOf(hits) {
  const pages = [];
  for (const hit of hits) {
    const page = hit.url.split('#')[0];
    if (!pages.includes(page)) pages.push(page);
  }
  return pages;
}

function score(rows) {
  const n = rows.length;
  const at = (k) => rows.filter((r) => r.rank > 0 && r.rank <= k).length;
  const mrr = rows.reduce((s, r) => s + (r.rank > 0 && r.rank <= 10 ? 1 / r.rank : 0), 0);
  return { n, s1: at(1) / n, s5: at(5) / n, mrr: mrr / n, zero: rows.filter((r) => r.total === 0).length };
}

const pct = (x) => `${(100 * x).toFixed(1)}%`.padStart(7);

async function main() {
  const args = process.argv.slice(2);
  const flag = (name) => { const i = args.indexOf(name); if (i >= 0) args.splice(i, 1); return i >= 0; };
  const check = flag('--check');
  const show = flag('--show');
  const site = args.shift();
  if (!site) {
    console.error('usage: node tests/search-quality/eval.mjs <public-dir> [--check] [--show] [lang ...]');
    process.exit(2);
  }
  const langs = args.length ? args : ['en', 'it', 'nl', 'zh'];
  const client = loadClient(site);
  const missed = [];
  console.log('lang  kind        queries  success@1  success@5  MRR@10  no result');
  for (const lang of langs) {
    const engine = client.engine(lang);
    const rows = [];
    for (const item of loadSet(lang)) {
      const result = await engine.search(item.query, { limit: 100 });
      const pages = pagesOf(result.hits);
      const rank = pages.findIndex((p) => item.expect.has(p)) + 1;
      rows.push({ ...item, rank, total: result.total, pages });
      if (show && (rank === 0 || rank > 5)) {
        console.log(`  miss [${lang}] ${item.kind} ${JSON.stringify(item.query)}: rank ${rank || '-'}, first ${pages.slice(0, 3).join(' ') || '(none)'}`);
      }
    }
    const kinds = [...new Set(rows.map((r) => r.kind))];
    for (const kind of kinds) {
      const s = score(rows.filter((r) => r.kind === kind));
      console.log(`${lang.padEnd(5)} ${kind.padEnd(11)} ${String(s.n).padStart(7)}  ${pct(s.s1)}    ${pct(s.s5)}   ${s.mrr.toFixed(3)}  ${String(s.zero).padStart(9)}`);
    }
    const all = score(rows);
    console.log(`${lang.padEnd(5)} ${'all'.padEnd(11)} ${String(all.n).padStart(7)}  ${pct(all.s1)}    ${pct(all.s5)}   ${all.mrr.toFixed(3)}  ${String(all.zero).padStart(9)}`);
    if (all.n < 40) missed.push(`${lang}: only ${all.n} queries (at least 40)`);
    if (all.s5 < 0.95) missed.push(`${lang}: success@5 ${pct(all.s5).trim()} < 95%`);
    if (all.s1 < 0.8) missed.push(`${lang}: success@1 ${pct(all.s1).trim()} < 80%`);
    const typos = rows.filter((r) => r.kind === 'typo');
    if (typos.length) {
      const t = score(typos);
      if (t.s5 < 0.8) missed.push(`${lang}: typo success@5 ${pct(t.s5).trim()} < 80%`);
      if (t.zero) missed.push(`${lang}: ${t.zero} typo queries without results`);
    }
  }
  if (check && missed.length) {
    console.error(`search quality targets missed:\n  ${missed.join('\n  ')}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e); process.exit(2); });
}
