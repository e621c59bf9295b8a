// Measures the browser index written by `gen-corpus --search-bench` (or `portal build`):
// exported size, gzip bytes a reader downloads for a first one-word query (client script,
// manifest, the shards that query loads), and query time in Node.
//
// Usage: node tests/js/bench.mjs <public-dir> [lang ...]

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

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const site = process.argv[2];
  const langs = process.argv.slice(3).length ? process.argv.slice(3) : fs.readdirSync(path.join(site, 'search'));
  const client = fs.readFileSync(clientPath);
  console.log(`client search.js: ${client.length} bytes, ${gz(client)} gzip`);
  console.log('lang  files  raw bytes   gzip bytes | 1st one-word query: files  gzip (incl. client) | query ms: median  p95 (warm)');
  for (const lang of langs) {
    const files = walk(path.join(site, 'search', lang));
    const raw = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const gzip = files.reduce((n, f) => n + gz(fs.readFileSync(f)), 0);

    // A frequent content word of the synthetic corpus as the first query.
    const word = { en: 'hospital', it: 'ospedale', nl: 'ziekenhuis', zh: '医院' }[lang] || 'dane';
    const first = loadClient(site).engine(lang);
    await first.search(word, { limit: 10 });
    const loaded = first.loadedFiles();
    const firstBytes = gz(client) + loaded.reduce((n, rel) => n + gz(fs.readFileSync(path.join(site, rel))), 0);

    // Query time with shards already loaded (parsing excluded): a sample of typed prefixes.
    const engine = loadClient(site).engine(lang);
    const samples = lang === 'zh'
      ? ['医院', '网络安全', '数据', '勒索软件', '备份', '系统', '医', '加密 VPN']
      : [word, word.slice(0, 4), `${word} data`, 'backup', 'security', 'sicurezza', 'netwerk', 'pro'];
    for (const q of samples) await engine.search(q, { limit: 10 });
    const times = [];
    for (let round = 0; round < 20; round++) {
      for (const q of samples) {
        const t = process.hrtime.bigint();
        await engine.search(q, { limit: 10 });
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    const p95 = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)];
    console.log(`${lang.padEnd(5)} ${String(files.length).padStart(5)} ${String(raw).padStart(10)} ${String(gzip).padStart(12)} | ` +
      `${JSON.stringify(word)}: ${loaded.length} files, ${firstBytes} B | ${median(times).toFixed(2)} ${p95.toFixed(2)}`);
  }
}

main().catch((e) => { console.error(e); process.exit(2); });
