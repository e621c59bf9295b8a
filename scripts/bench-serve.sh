#!/usr/bin/env bash
# Dev-server benchmark: edit-to-reload latency of `portal serve` for a one-page edit (median and
# p90 of 20 appends to one page, each timed from the write to the `reload` event), on a copy of
# the bundled site and on a synthetic corpus, and for template and strings edits on the corpus;
# then, with wrk installed, a 10 s load test of the server on 127.0.0.1.
#
#   scripts/bench-serve.sh [PAGES]        default: 10000
#
# Figures go to BENCHMARKS.md by hand, with the machine and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-10000}
cargo build --release --quiet --bin portal --bin gen-corpus
bin=${CARGO_TARGET_DIR:-target}/release

bundled=$(mktemp -d /tmp/portal-serve-bundled.XXXX)
cp -r content themes i18n portal.toml "$bundled/"
echo "== bundled site ($bundled)"
node scripts/bench-serve.cjs "$bin/portal" "$bundled" content/en/guidance/backups.md 20

corpus=$(mktemp -d "/tmp/portal-serve-$pages.XXXX")
"$bin/gen-corpus" --out "$corpus" --pages "$pages" >/dev/null
cp -r themes i18n portal.toml "$corpus/"
page=$(cd "$corpus" && find content/en -name 'page-*.md' | sort | head -1)
echo "== $pages pages ($corpus)"
node scripts/bench-serve.cjs "$bin/portal" "$corpus" "$page" 20
# Template and strings edits re-render the pages that use them: one kind's template, the base
# template of every page, one language's strings (a new key, as a translator adds one).
echo "== $pages pages: template, strings and front matter edits"
node scripts/bench-serve.cjs "$bin/portal" "$corpus" themes/default/templates/news.html 10 '{# {n} #}'
node scripts/bench-serve.cjs "$bin/portal" "$corpus" themes/default/templates/base.html 10 '{# {n} #}'
node scripts/bench-serve.cjs "$bin/portal" "$corpus" i18n/it.toml 10 '\nbench{n} = "x"'
# A page's title (front matter): the pages that show the page.
node scripts/bench-serve.cjs "$bin/portal" "$corpus" "$page" 10 --replace '^title = ".*"$' 'title = "Edited {n}"'

if command -v wrk >/dev/null; then
  echo "== load: wrk on the bundled site"
  "$bin/portal" serve --port 18081 --root "$bundled" >/dev/null 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null' EXIT
  for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:18081/en/index.html && break; sleep 0.2; done
  wrk -t2 -c50 -d10s --timeout 5s http://127.0.0.1:18081/en/guidance/backups.html
  wrk -t2 -c200 -d10s --timeout 5s http://127.0.0.1:18081/en/index.html
  curl -s -o /dev/null -w "after the load: HTTP %{http_code}\n" http://127.0.0.1:18081/en/index.html
fi
rm -rf "$bundled" "$corpus"
