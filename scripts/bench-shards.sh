#!/usr/bin/env bash
# Search shard-size sweep: the trade between the number of browser index files and the bytes a
# first one-word query loads. For each setting of `gen-corpus --shard-kib LEXICON,POSTINGS,META`
# (target raw sizes in KiB) it exports the same 10,000-page corpus and runs tests/js/bench.mjs.
#
#   scripts/bench-shards.sh                     the settings below
#   scripts/bench-shards.sh 16,32,12 64,256,96  chosen settings
#
# Prints one line per setting: total files, first-query gzip bytes per language (client
# included) and the metadata share. Figures go to BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
settings=("$@")
[ ${#settings[@]} -gt 0 ] || settings=(16,32,12 16,64,24 32,128,48 64,256,96 64,512,192 128,1024,384)
cargo build --release --quiet --bin gen-corpus
bin=${CARGO_TARGET_DIR:-target}/release
dir=$(mktemp -d /tmp/portal-shards.XXXX)
trap 'rm -rf "$dir"' EXIT
printf '%-14s %6s  %s\n' "kib l,p,m" files "first query gzip bytes per language (metadata part, batches)"
for setting in "${settings[@]}"; do
  "$bin/gen-corpus" --out "$dir" --pages 10000 --search-bench --shard-kib "$setting" >/dev/null
  files=$(find "$dir/public/search" -type f | wc -l)
  node tests/js/bench.mjs "$dir/public" > "$dir/bench.txt"
  # bench.mjs: a language line ("en  536 ... : 13 files, 76142 B | ...") then its breakdown line.
  summary=$(awk '
    /^[a-z][a-z]  / { lang = $1; for (i = 1; i <= NF; i++) if ($i == "B") bytes = $(i - 1) }
    /files by kind/ { match($0, /metadata [0-9]+ \([0-9]+ batches/); m = substr($0, RSTART, RLENGTH);
                      split(m, w, /[ (]+/); printf "%s %s (%s, %s)  ", lang, bytes, w[2], w[3] }
  ' "$dir/bench.txt")
  printf '%-14s %6s  %s\n' "$setting" "$files" "$summary"
done
