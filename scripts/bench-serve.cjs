// Edit-to-reload latency of `portal serve`: starts the server on a site, opens the live-reload
// event stream, appends a word to one file N times and measures from each write to the
// `reload` event (then waits for the search update before the next edit, so each edit meets an
// idle server). Prints the median, p90, min and max, and the server's last progress lines.
//
//   node scripts/bench-serve.cjs PORTAL_BIN SITE_DIR FILE_REL_PATH [EDITS=20] [TEXT]
//
// TEXT is what each edit appends, `{n}` replaced by the edit's number (default ` benchword{n}`,
// for a page); e.g. `{# {n} #}` for a template, `\nbench{n} = "x"` for a strings file.
// `--replace REGEX WITH` instead of TEXT replaces the first match of REGEX (`{n}` in WITH):
// `--replace '^title = ".*"$' 'title = "Edited {n}"'` edits a page's front matter.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const [bin, root, rel, editsArg, textArg, regexArg, withArg] = process.argv.slice(2);
if (!bin || !root || !rel) {
  console.error("usage: node scripts/bench-serve.cjs PORTAL_BIN SITE_DIR FILE_REL_PATH [EDITS] [TEXT]");
  process.exit(2);
}
const edits = Number(editsArg || 20);
const text = (textArg || " benchword{n}").replace(/\\n/g, "\n");
const page = path.join(root, rel);
const log = [];
const server = spawn(bin, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
let partial = "";
server.stderr.on("data", (d) => {
  const lines = (partial + d).split("\n");
  partial = lines.pop();
  log.push(...lines.filter(Boolean));
});

let waiting = null; // { name, resolve, timer }
const seen = [];
function onEvent(name) {
  seen.push(name);
  if (waiting && waiting.name === name) {
    const w = waiting;
    waiting = null;
    clearTimeout(w.timer);
    w.resolve(process.hrtime.bigint());
  }
}
function next(name, ms) {
  return new Promise((resolve, reject) => {
    waiting = { name, resolve, timer: setTimeout(() => reject(new Error(`no ${name} event in ${ms} ms`)), ms) };
  });
}

async function main() {
  const address = await new Promise((resolve) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/serving http:\/\/([^/\s]+)\//);
      if (m) resolve(m[1]);
    });
  });
  const [host, port] = address.split(":");
  const ok = next("ok", 10000);
  http.get({ host, port, path: "/__portal/events" }, (res) => {
    let buf = "";
    res.setEncoding("utf8");
    res.on("data", (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m = block.match(/^event: (\S+)/m);
        if (m) onEvent(m[1]);
      }
    });
  });
  await ok;
  const latencies = [];
  for (let n = 1; n <= edits; n++) {
    const reload = next("reload", 60000);
    const t0 = process.hrtime.bigint();
    if (textArg === "--replace") {
      const before = fs.readFileSync(page, "utf8");
      const after = before.replace(new RegExp(regexArg, "m"), withArg.replaceAll("{n}", String(n)));
      if (after === before) throw new Error(`--replace: no match for ${regexArg} in ${rel}`);
      fs.writeFileSync(page, after);
    } else {
      fs.appendFileSync(page, text.replaceAll("{n}", String(n)));
    }
    const t1 = await reload;
    latencies.push(Number(t1 - t0) / 1e6);
    // The search index follows a page's reload; the next edit waits for it. Template and
    // strings edits change no search document here.
    if (rel.startsWith("content/")) await next("search", 120000).catch(() => {});
    await new Promise((r) => setTimeout(r, rel.startsWith("content/") ? 100 : 1000));
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  console.log(
    `${edits} edits of ${rel}: median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, ` +
      `min ${latencies[0].toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
  );
  console.log("server log (last lines):\n  " + log.slice(-4).join("\n  "));
  server.kill();
  process.exit(0);
}
main().catch((e) => {
  console.error(e.message, "\nevents:", seen.join(" "), "\nserver log:\n  " + log.slice(-10).join("\n  "));
  server.kill();
  process.exit(1);
});
