#!/usr/bin/env bash
# Pagefind side by side with this portal's search on the same 10,000-page synthetic corpus:
# installs Pagefind 1.6.0 from npm (outside the repository; it is not a test dependency),
# indexes the corpus's plain HTML (`gen-corpus --html`), and measures build time, peak memory,
# files, bytes and the first one-word query in Chromium (scripts/bench-pagefind.mjs); then the
# same figures for the portal's index of the same pages (tests/js/bench.mjs).
#
#   scripts/bench-pagefind.sh [PAGES]        default 10000
#
# Needs /usr/bin/chromium and `npm ci` (playwright-core). Figures go to BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-10000}
pagefind_dir=${PAGEFIND_DIR:-/tmp/pagefind-1.6.0}
if [ ! -x "$pagefind_dir/node_modules/.bin/pagefind" ]; then
  npm install --prefix "$pagefind_dir" --no-audit --no-fund --silent pagefind@1.6.0
fi
cargo build --release --quiet --bin gen-corpus
bin=${CARGO_TARGET_DIR:-target}/release
dir=$(mktemp -d /tmp/portal-pagefind.XXXX)
trap 'rm -rf "$dir"' EXIT
"$bin/gen-corpus" --out "$dir" --pages "$pages" --search-bench --html >/dev/null
echo "== Pagefind $("$pagefind_dir/node_modules/.bin/pagefind" --version 2>/dev/null | tail -1) on $pages pages"
/usr/bin/time -v "$pagefind_dir/node_modules/.bin/pagefind" --site "$dir/html" >"$dir/pagefind.log" 2>"$dir/time.txt"
grep -E "Elapsed|Maximum resident" "$dir/time.txt" | sed 's/^\t//'
echo "files $(find "$dir/html/pagefind" -type f | wc -l), bytes on disk $(du -sb "$dir/html/pagefind" | cut -f1)"
node scripts/bench-pagefind.mjs "$dir/html"
echo "== this portal on the same pages"
echo "files $(find "$dir/public/search" -type f | wc -l), bytes on disk $(du -sb "$dir/public/search" | cut -f1)"
node tests/js/bench.mjs "$dir/public"
