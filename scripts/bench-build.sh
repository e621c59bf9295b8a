#!/usr/bin/env bash
# Build benchmark: generates deterministic synthetic corpora (scripts use the gen-corpus binary)
# and measures a full `portal build` (search included): wall time over repeated runs with
# hyperfine (median), peak memory with /usr/bin/time -v, and the per-stage split with --timings.
#
#   scripts/bench-build.sh [PAGES...]      default: 1000 10000
#   RUNS=5 scripts/bench-build.sh 10000    more repetitions
#
# Figures go to BENCHMARKS.md by hand, with the machine and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --quiet --bin portal --bin gen-corpus
bin=${CARGO_TARGET_DIR:-target}/release
for pages in "${sizes[@]}"; do
  dir=$(mktemp -d "/tmp/portal-bench-$pages.XXXX")
  "$bin/gen-corpus" --out "$dir" --pages "$pages" >/dev/null
  cp -r themes i18n portal.toml "$dir/"
  echo "== $pages pages ($dir)"
  "$bin/portal" build --root "$dir" >/dev/null 2>&1   # warm the page cache
  hyperfine --runs "$RUNS" --export-json "$dir/hyperfine.json" "$bin/portal build --root $dir" 2>&1 | grep -E "Time|Range"
  python3 -c "import json,statistics as s; r=json.load(open('$dir/hyperfine.json'))['results'][0]; print(f'median {s.median(r[\"times\"]):.2f} s over {len(r[\"times\"])} runs')"
  /usr/bin/time -v "$bin/portal" build --root "$dir" --timings 2>&1 | grep -E "^  |Maximum resident" | sed 's/^\t//'
  rm -rf "$dir"
done
