#!/usr/bin/env bash
# Same-run comparison of single-document write transactions: Weft's document database (embedded Xodus store,
# fsync off and on) against OrbitDB 3.0.2's documents `put`, measured alternately in one run on one machine.
#
# Usage: benchmarks/compare-orbitdb.sh            (after: mvn -B -q install -DskipTests)
# Environment:
#   ROUNDS=3          rounds; each round runs Weft and OrbitDB once (order alternates between rounds)
#   N=5000            documents written per run, by both sides (OrbitDB's harness default)
#   WARMUP_MS=15000   Weft JVM warm-up on a throw-away database before its timed writes
#   WEFT_REPS=3       Weft runs per round and store (each N documents into a fresh database); rate = all docs / all time
#   ORBITDB_DIR=...   the OrbitDB harness (default: ../shared/peers/orbitdb next to the repo, or /work/shared/peers/orbitdb)
#   ORBITDB_WORK=...  where the harness is copied and `npm ci`-installed (default: $TMPDIR/weft-orbitdb-harness)
#   JAVA=java NODE=node
# Prints each round's rates and ratios, and the median ratios. See docs/BENCHMARKS.md ("Issue #3").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
N="${N:-5000}"
WARMUP_MS="${WARMUP_MS:-15000}"
WEFT_REPS="${WEFT_REPS:-3}"
JAVA="${JAVA:-java}"
NODE="${NODE:-node}"
jar="$root/benchmarks/target/benchmarks.jar"

if [[ -z "${ORBITDB_DIR:-}" ]]; then
  for d in "$root/../shared/peers/orbitdb" /work/shared/peers/orbitdb; do
    if [[ -f "$d/orbitdb-bench.mjs" ]]; then ORBITDB_DIR="$(cd "$d" && pwd)"; break; fi
  done
fi
[[ -n "${ORBITDB_DIR:-}" && -f "$ORBITDB_DIR/orbitdb-bench.mjs" ]] \
  || { echo "OrbitDB harness not found; set ORBITDB_DIR" >&2; exit 2; }
[[ -f "$jar" ]] || { echo "$jar missing; build it: mvn -B -q install -DskipTests" >&2; exit 2; }

# The harness folder may be read-only: install into a copy, once per lockfile.
work="${ORBITDB_WORK:-${TMPDIR:-/tmp}/weft-orbitdb-harness}"
if [[ ! -d "$work/node_modules" ]] || ! cmp -s "$ORBITDB_DIR/package-lock.json" "$work/package-lock.json"; then
  echo "installing the OrbitDB harness into $work (npm ci)"
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$ORBITDB_DIR"/. "$work"/
  chmod -R u+w "$work"
  (cd "$work" && npm ci --no-audit --no-fund >/dev/null)
fi

log="$(mktemp -d "${TMPDIR:-/tmp}/weft-compare.XXXXXX")"
trap 'rm -rf "$log"' EXIT

# One Weft run: prints "<fsync-off rate> <fsync-on rate> <raw append+fsync rate>".
run_weft() {
  "$JAVA" --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -cp "$jar" io.weft.benchmarks.DbPutRate "$N" "$WARMUP_MS" \
    xodus,xodus-fsync,raw-fsync "$WEFT_REPS" >"$log/weft.out" 2>"$log/weft.err" || { cat "$log/weft.err" >&2; exit 1; }
  local off on raw
  off="$(sed -n 's/^weft put store=xodus N=[0-9]* x [0-9]*: .* -> \([0-9.]*\) ops\/s .*$/\1/p' "$log/weft.out")"
  on="$(sed -n 's/^weft put store=xodus-fsync N=[0-9]* x [0-9]*: .* -> \([0-9.]*\) ops\/s .*$/\1/p' "$log/weft.out")"
  raw="$(sed -n 's/^raw fsync N=[0-9]* x [0-9]*: .* -> \([0-9.]*\) ops\/s .*$/\1/p' "$log/weft.out")"
  [[ -n "$off" && -n "$on" && -n "$raw" ]] || { echo "could not parse Weft output:" >&2; cat "$log/weft.out" >&2; exit 1; }
  grep -E '^(weft put|raw fsync)' "$log/weft.out" | sed 's/^/    /' >>"$log/details"
  echo "$off $on $raw"
}

# One OrbitDB run: prints its put rate. The harness leaves libp2p handles open and idles ~30 s after its last
# line, so the process (started here) is ended once it has printed "done".
run_orbitdb() {
  (cd "$work" && N="$N" exec "$NODE" orbitdb-bench.mjs) >"$log/orbit.out" 2>"$log/orbit.err" &
  local pid=$! waited=0
  while kill -0 "$pid" 2>/dev/null && ! grep -q '^done;' "$log/orbit.out"; do
    sleep 0.2
    waited=$((waited + 1))
    if ((waited > 3000)); then echo "OrbitDB run timed out" >&2; kill "$pid"; exit 1; fi
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local rate
  rate="$(sed -n 's/^put N=[0-9]*: .* -> \([0-9.]*\) ops\/s$/\1/p' "$log/orbit.out")"
  [[ -n "$rate" ]] || { echo "could not parse OrbitDB output:" >&2; cat "$log/orbit.out" "$log/orbit.err" >&2; exit 1; }
  grep '^put N=' "$log/orbit.out" | sed 's/^/    orbitdb /' >>"$log/details"
  echo "$rate"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "N=$N documents per run, $ROUNDS rounds, single writer; Weft: Xodus store, one write transaction per document,"
echo "warm-up ${WARMUP_MS} ms, $WEFT_REPS fresh databases per store and round; OrbitDB: one fresh process per round"
printf '%-6s %-14s %10s %10s %12s %13s %14s %14s %14s\n' round order "OrbitDB/s" "Weft/s" "Weft fsync/s" "raw fsync/s" \
  "Weft/OrbitDB" "fsync/OrbitDB" "raw/OrbitDB"
r_off=() r_on=() r_raw=() orbit_all=() off_all=() on_all=() raw_all=()
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2 == 1)); then
    order="weft,orbitdb"; read -r off on raw < <(run_weft); orbit="$(run_orbitdb)"
  else
    order="orbitdb,weft"; orbit="$(run_orbitdb)"; read -r off on raw < <(run_weft)
  fi
  [[ -n "${off:-}" && -n "${on:-}" && -n "${raw:-}" && -n "${orbit:-}" ]] || { echo "round $r failed" >&2; exit 1; }
  ro="$(awk -v a="$off" -v b="$orbit" 'BEGIN {printf "%.1f", a / b}')"
  rf="$(awk -v a="$on" -v b="$orbit" 'BEGIN {printf "%.1f", a / b}')"
  rr="$(awk -v a="$raw" -v b="$orbit" 'BEGIN {printf "%.1f", a / b}')"
  r_off+=("$ro"); r_on+=("$rf"); r_raw+=("$rr"); orbit_all+=("$orbit"); off_all+=("$off"); on_all+=("$on"); raw_all+=("$raw")
  printf '%-6s %-14s %10s %10s %12s %13s %13s× %13s× %13s×\n' "$r" "$order" "$orbit" "$off" "$on" "$raw" "$ro" "$rf" "$rr"
done
printf '%-6s %-14s %10s %10s %12s %13s %13s× %13s× %13s×\n' median "" "$(echo "${orbit_all[*]}" | median)" \
  "$(echo "${off_all[*]}" | median)" "$(echo "${on_all[*]}" | median)" "$(echo "${raw_all[*]}" | median)" \
  "$(echo "${r_off[*]}" | median)" "$(echo "${r_on[*]}" | median)" "$(echo "${r_raw[*]}" | median)"
echo "runs:"
cat "$log/details"
echo "raw fsync = ${N} appends of 1,600 bytes to a plain file, each followed by an fsync: the disk's bound for one durable"
echo "transaction at a time, whatever the engine. OrbitDB's harness does not fsync (LevelDB sync:false, in-memory blockstore)."
echo "goal: Weft single-document write transactions >= 10x OrbitDB's put rate (ratios are per round, same run)"
