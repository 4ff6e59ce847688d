#!/usr/bin/env bash
# Thread sync between two peers on loopback (issue #5): catch-up rate of a fresh peer against OrbitDB 3.0.2's, in the
# same run, rounds interleaved; then Weft's live propagation latency and the idle cost of two peers sharing many
# threads. Weft's side is io.weft.benchmarks.sync.SyncBench (both peers in one JVM, Xodus fsync off,
# NetConfig.defaults()); each Weft catch-up JVM also times the same catch-up without a database (net rec/s) and the
# single-core Ed25519 verify rate, so that both ratios to the verify bound come from the same process.
#
# Usage: benchmarks/compare-sync.sh            (after: mvn -B -q install -DskipTests)
# Environment:
#   ROUNDS=3          catch-up rounds; each runs OrbitDB and Weft once (order alternates between rounds)
#   N=10000           documents in the database the fresh peer catches up with, both sides
#   WARMUP_DOCS=2000  Weft: a throw-away catch-up of this many documents in the same JVM first (0: cold)
#   LIVE_N=1000       Weft live: writes per measured phase
#   IDLE_THREADS=100 IDLE_SECONDS=60   Weft idle: databases shared by the two peers, measurement window
#   SKIP_LIVE=1 SKIP_IDLE=1            leave those parts out
#   ORBITDB_DIR=...   the OrbitDB harness (default: ../shared/peers/orbitdb next to the repo, or /work/shared/peers/orbitdb)
#   ORBITDB_WORK=...  where the harness is copied and `npm ci`-installed (default: $TMPDIR/weft-orbitdb-harness,
#                     shared with compare-orbitdb.sh)
#   JAVA=java NODE=node
# See docs/BENCHMARKS.md ("Issue #5").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
N="${N:-10000}"
WARMUP_DOCS="${WARMUP_DOCS:-2000}"
LIVE_N="${LIVE_N:-1000}"
IDLE_THREADS="${IDLE_THREADS:-100}"
IDLE_SECONDS="${IDLE_SECONDS:-60}"
JAVA="${JAVA:-java}"
NODE="${NODE:-node}"
jar="$root/benchmarks/target/benchmarks.jar"
jvm=("$JAVA" --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -cp "$jar")

if [[ -z "${ORBITDB_DIR:-}" ]]; then
  for d in "$root/../shared/peers/orbitdb" /work/shared/peers/orbitdb; do
    if [[ -f "$d/orbitdb-replicate.mjs" ]]; then ORBITDB_DIR="$(cd "$d" && pwd)"; break; fi
  done
fi
[[ -n "${ORBITDB_DIR:-}" && -f "$ORBITDB_DIR/orbitdb-replicate.mjs" ]] \
  || { echo "OrbitDB harness not found; set ORBITDB_DIR" >&2; exit 2; }
[[ -f "$jar" ]] || { echo "$jar missing; build it: mvn -B -q install -DskipTests" >&2; exit 2; }

# The harness folder may be read-only: install into a copy, once per lockfile (as compare-orbitdb.sh does).
work="${ORBITDB_WORK:-${TMPDIR:-/tmp}/weft-orbitdb-harness}"
if [[ ! -d "$work/node_modules" ]] || ! cmp -s "$ORBITDB_DIR/package-lock.json" "$work/package-lock.json"; then
  echo "installing the OrbitDB harness into $work (npm ci)"
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$ORBITDB_DIR"/. "$work"/
  chmod -R u+w "$work"
  (cd "$work" && npm ci --no-audit --no-fund >/dev/null)
else
  cp "$ORBITDB_DIR"/*.mjs "$work"/ # scripts may have been added or changed since the install
  chmod u+w "$work"/*.mjs
fi

log="$(mktemp -d "${TMPDIR:-/tmp}/weft-compare-sync.XXXXXX")"
trap 'rm -rf "$log"' EXIT

# One OrbitDB catch-up: prints its entries/s. The process (started here) is ended once it printed "done".
run_orbitdb() {
  (cd "$work" && N="$N" MODE=catchup TRANSPORT=tcp LIMIT_S=$((N / 20 + 120)) exec "$NODE" orbitdb-replicate.mjs) \
    >"$log/orbit.out" 2>"$log/orbit.err" &
  local pid=$! waited=0
  while kill -0 "$pid" 2>/dev/null && ! grep -q '^done' "$log/orbit.out"; do
    sleep 0.2
    waited=$((waited + 1))
    if ((waited > 5 * (N / 20 + 180))); then echo "OrbitDB run timed out" >&2; kill "$pid"; exit 1; fi
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local rate
  rate="$(sed -n 's/^B (catch-up over tcp): has [0-9]* docs after .* -> \([0-9.]*\) entries\/s.*$/\1/p' "$log/orbit.out")"
  [[ -n "$rate" ]] || { echo "could not parse OrbitDB output:" >&2; cat "$log/orbit.out" "$log/orbit.err" >&2; exit 1; }
  grep -E '^(A: put|B \(catch-up)' "$log/orbit.out" | sed 's/^/    orbitdb: /' >>"$log/details"
  echo "$rate"
}

# One Weft catch-up (fresh JVM): prints "<docs/s> <records/s> <verify/s> <records/verify> <net-only records/s>
# <net-only records/verify>".
run_weft() {
  "${jvm[@]}" io.weft.benchmarks.sync.SyncBench catchup "$N" "$WARMUP_DOCS" >"$log/weft.out" 2>"$log/weft.err" \
    || { cat "$log/weft.out" "$log/weft.err" >&2; exit 1; }
  local line
  line="$(sed -n 's/^weft catchup N=[0-9]*: .* -> \([0-9.]*\) docs\/s, \([0-9.]*\) records\/s; verify bound \([0-9.]*\)\/s; records\/verify = \([0-9.]*\)$/\1 \2 \3 \4/p' "$log/weft.out")"
  local net
  net="$(sed -n 's/^weft catchup-log N=[0-9]*: .* -> \([0-9.]*\) records\/s; verify bound [0-9.]*\/s; records\/verify = \([0-9.]*\)$/\1 \2/p' "$log/weft.out")"
  [[ -n "$line" && -n "$net" ]] || { echo "could not parse Weft output:" >&2; cat "$log/weft.out" "$log/weft.err" >&2; exit 1; }
  grep -vE '^weft catchup' "$log/weft.out" | sed 's/^/    weft: /' >>"$log/details"
  warn="$(grep -cE 'WARN|ERROR' "$log/weft.err" || true)"
  if ((warn > 0)); then
    echo "    weft: $warn WARN/ERROR log lines, first ones:" >>"$log/details"
    grep -E 'WARN|ERROR' "$log/weft.err" | head -5 | sed 's/^/      /' >>"$log/details"
  fi
  echo "$line $net"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "started $(date -u +%FT%TZ); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) (other processes skew every figure)"
echo "== catch-up: a fresh peer joins a database of N=$N documents (one write transaction each) over loopback TCP"
echo "   OrbitDB: orbitdb-replicate.mjs MODE=catchup TRANSPORT=tcp, time from B's open to B having all N"
echo "   Weft: SyncBench catchup, time from B's joinDatabase to B's listener having seen all N; warm-up $WARMUP_DOCS docs"
printf '%-6s %-14s %10s %10s %10s %10s %9s %13s %10s %12s\n' round order "OrbitDB/s" "Weft doc/s" "Weft rec/s" \
  "net rec/s" "verify/s" "Weft/OrbitDB" "rec/verify" "net/verify"
ratios=() rv_all=() orbit_all=() weft_all=() rec_all=() ver_all=() net_all=() nv_all=()
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2 == 1)); then
    order="weft,orbitdb"; read -r wd wr wv wrv nr nrv < <(run_weft); orbit="$(run_orbitdb)"
  else
    order="orbitdb,weft"; orbit="$(run_orbitdb)"; read -r wd wr wv wrv nr nrv < <(run_weft)
  fi
  [[ -n "${wd:-}" && -n "${nrv:-}" && -n "${orbit:-}" ]] || { echo "round $r failed" >&2; exit 1; }
  ratio="$(awk -v a="$wd" -v b="$orbit" 'BEGIN {printf "%.1f", a / b}')"
  ratios+=("$ratio"); rv_all+=("$wrv"); orbit_all+=("$orbit"); weft_all+=("$wd"); rec_all+=("$wr"); ver_all+=("$wv")
  net_all+=("$nr"); nv_all+=("$nrv")
  printf '%-6s %-14s %10s %10s %10s %10s %9s %12s× %10s %12s\n' "$r" "$order" "$orbit" "$wd" "$wr" "$nr" "$wv" \
    "$ratio" "$wrv" "$nrv"
done
printf '%-6s %-14s %10s %10s %10s %10s %9s %12s× %10s %12s\n' median "" "$(echo "${orbit_all[*]}" | median)" \
  "$(echo "${weft_all[*]}" | median)" "$(echo "${rec_all[*]}" | median)" "$(echo "${net_all[*]}" | median)" \
  "$(echo "${ver_all[*]}" | median)" "$(echo "${ratios[*]}" | median)" "$(echo "${rv_all[*]}" | median)" \
  "$(echo "${nv_all[*]}" | median)"
echo "runs:"
cat "$log/details"
echo "Weft rec/s: records applied by B's database (documents + the collection definition); net rec/s: the same catch-up"
echo "on a bare thread without a database (SyncBench catchup-log, same JVM); verify/s: single-core Ed25519 verify, same JVM"
echo "goals: Weft catch-up >= 30x OrbitDB's (per round, same run); records/s >= 0.5 of the single-core Ed25519 verify rate"

echo "load average now $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ -z "${SKIP_LIVE:-}" ]]; then
  echo
  echo "== live propagation (Weft): ${jvm[*]} io.weft.benchmarks.sync.SyncBench live $LIVE_N"
  "${jvm[@]}" io.weft.benchmarks.sync.SyncBench live "$LIVE_N" 2>"$log/live.err" || { cat "$log/live.err" >&2; exit 1; }
  grep -cE 'WARN|ERROR' "$log/live.err" | sed 's/^/WARN\/ERROR log lines: /' || true
  echo "goal: p99 < 50 ms on loopback"
fi

if [[ -z "${SKIP_IDLE:-}" ]]; then
  echo
  echo "== idle cost (Weft): ${jvm[*]} io.weft.benchmarks.sync.SyncBench idle $IDLE_THREADS $IDLE_SECONDS"
  "${jvm[@]}" io.weft.benchmarks.sync.SyncBench idle "$IDLE_THREADS" "$IDLE_SECONDS" 2>"$log/idle.err" \
    || { cat "$log/idle.err" >&2; exit 1; }
  grep -cE 'WARN|ERROR' "$log/idle.err" | sed 's/^/WARN\/ERROR log lines: /' || true
  echo "goal: near zero (ExchangeEdges)"
fi
echo "finished $(date -u +%FT%TZ); load average $(cut -d' ' -f1-3 /proc/loadavg)"
