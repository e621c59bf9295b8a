#!/usr/bin/env bash
# `portal check` time against the paragraphs of one page (issue: it was quadratic). Builds a
# site with the bundled theme and strings and one English page of N paragraphs of
# "Lorem **ipsum** dolor [link](https://example.org) sit.", for N = 2k .. 64k, and times
# `portal check` with hyperfine (median of 5 runs after a warm-up).
# Usage: [MAX_PARAGRAPHS=N] scripts/bench-check.sh [PORTAL_BINARY]   (default: target/release/portal)
set -euo pipefail
cd "$(dirname "$0")/.."
portal=$(realpath "${1:-target/release/portal}")
command -v hyperfine >/dev/null || { echo "bench-check: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '| paragraphs | median check (s) | per 1,000 paragraphs (ms) |\n|---:|---:|---:|\n'
for n in 2000 4000 8000 16000 32000 64000; do
  [ "$n" -le "${MAX_PARAGRAPHS:-64000}" ] || break
  site="$work/site-$n"
  mkdir -p "$site/content/en"
  cp -r themes i18n "$site/"
  printf '+++\ntitle = "Home"\n+++\n' >"$site/content/en/_index.md"
  {
    printf '+++\ntitle = "Long"\n+++\n'
    for _ in $(seq "$n"); do printf 'Lorem **ipsum** dolor [link](https://example.org) sit.\n\n'; done
  } >"$site/content/en/long.md"
  hyperfine --style none --warmup 1 --runs 5 --export-json "$work/$n.json" \
    "$portal check --root $site" >/dev/null 2>&1
  median=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$work/$n.json")
  python3 -c "import sys; n=int(sys.argv[1]); m=float(sys.argv[2]); print(f'| {n:,} | {m:.3f} | {m*1e6/n:.1f} |')" "$n" "$median"
done
