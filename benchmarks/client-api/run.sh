#!/usr/bin/env bash
# Client API benchmark (issue #6, docs/BENCHMARKS.md): unary Create and Find against one Weft peer started from the
# distribution, 16 concurrent clients for 60 s each (after a 10 s warm-up that is not counted), over
#   - native gRPC: benchmarks/client-api/GrpcLoad.java (Java, weft-client, one connection per client), and
#   - grpc-websockets: itests/textile-client-harness/bench.js (the real @textile/threads-client 2.3.4 in Node,
#     one WebSocket per call, as the client always does).
# Prints one JSON line per run and a Markdown table at the end (with the CPU the peer and the load generator used,
# in cores: CPU seconds over the run's wall time, its setup and warm-up included); everything is kept in the work
# directory.
#
# Needs: a built tree (mvn -B -q install -DskipTests), Java 17+, Node 20+ and npm (the harness is installed with
# npm ci from its lockfile). Environment: SECONDS_PER_RUN (60), CLIENTS (16), WARMUP (10), PRELOAD (1000),
# FSYNC (true: the default store setting; false: io.weft.store.xodus fsync=false), WORK (a temp directory).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${SECONDS_PER_RUN:-60}"
clients="${CLIENTS:-16}"
warmup="${WARMUP:-10}"
preload="${PRELOAD:-1000}"
fsync="${FSYNC:-true}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/weft-client-api-bench.XXXXXX")}"
mkdir -p "$work"
harness="$root/itests/textile-client-harness"
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; else java="java"; fi

log() { echo "client-api bench: $*" >&2; }

[ -f "$root/distribution/target/weft.jar" ] || { log "build first: mvn -B -q install -DskipTests"; exit 2; }
client_jar="$(ls "$root"/bundles/client/target/weft-client-*.jar 2>/dev/null | grep -v -e sources -e tests | head -1 || true)"
[ -n "$client_jar" ] || { log "bundles/client/target/weft-client-*.jar missing: build first"; exit 2; }

bash "$harness/install.sh" >&2

# weft-client's class path (its dependencies from the local Maven repository)
if ! mvn -B -q -o -f "$root/bundles/client/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >&2; then
  mvn -B -q -f "$root/bundles/client/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >&2
fi
cp="$client_jar:$(cat "$work/cp.txt")"

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
grpc_port="$(free_port)"
web_port="$(free_port)"
while [ "$web_port" = "$grpc_port" ]; do web_port="$(free_port)"; done

mkdir -p "$work/conf"
printf 'listen = /ip4/127.0.0.1/tcp/0\n' > "$work/conf/io.weft.transport.cfg"
printf 'grpc.address = 127.0.0.1:%s\n' "$grpc_port" > "$work/conf/io.weft.server.cfg"
printf 'web.address = 127.0.0.1:%s\n' "$web_port" > "$work/conf/io.weft.server.web.cfg"
if [ "$fsync" = false ]; then printf 'fsync = false\n' > "$work/conf/io.weft.store.xodus.cfg"; fi

log "starting a peer (repo $work/repo, native gRPC 127.0.0.1:$grpc_port, web 127.0.0.1:$web_port)"
JAVA_HOME="${JAVA_HOME:-}" bash "$root/distribution/bin/weft" --repo "$work/repo" --conf "$work/conf" > "$work/peer.log" 2>&1 &
peer=$!
stop_peer() {
  if kill -0 "$peer" 2>/dev/null; then
    kill -TERM "$peer" 2>/dev/null || true
    wait "$peer" 2>/dev/null || true
  fi
}
trap stop_peer EXIT

open_port() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
deadline=$((SECONDS + 120))
until open_port "$grpc_port" && open_port "$web_port"; do
  kill -0 "$peer" 2>/dev/null || { log "the peer exited; see $work/peer.log"; tail -20 "$work/peer.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { log "the peer did not open its API ports within 120 s; see $work/peer.log"; exit 1; }
  sleep 0.2
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cores: $(nproc)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$java" -version 2>&1 | head -1)"
  echo "node: $(node --version)"
  echo "settings: clients=$clients seconds=$seconds warmup=$warmup preload=$preload fsync=$fsync"
} | tee "$work/machine.txt" >&2

: > "$work/results.jsonl"
: > "$work/cpu.jsonl"
tck="$(getconf CLK_TCK)"
peer_cpu() { awk -v t="$tck" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$peer/stat"; }
to_s() { awk '{ n = split($0, p, /[ms]/); print p[1] * 60 + p[2] }'; } # 1m2.5s -> 62.5
# Runs one load generator; records its output, and the CPU seconds it and the peer used over its whole run (setup
# and warm-up included) with the wall time, as {"cpu": …} lines in cpu.jsonl.
run() {
  local what="$1"; shift
  log "$what"
  local p0 t0 p1 t1 client
  p0="$(peer_cpu)"; t0="$(date +%s.%N)"
  ( "$@" | tee -a "$work/results.jsonl"; times > "$work/times.tmp" ) # not `times | …`: a pipe runs it in a fork
  p1="$(peer_cpu)"; t1="$(date +%s.%N)"
  client="$(tail -1 "$work/times.tmp" | tr ' ' '\n' | to_s | awk '{ s += $1 } END { printf "%.2f", s }')"
  awk -v w="$what" -v t0="$t0" -v t1="$t1" -v p0="$p0" -v p1="$p1" -v c="$client" 'BEGIN {
    printf "{\"cpu\":\"%s\",\"wallS\":%.2f,\"peerCpuS\":%.2f,\"clientCpuS\":%s}\n", w, t1 - t0, p1 - p0, c }' \
    >> "$work/cpu.jsonl"
  echo "load after $what: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$work/machine.txt" >&2
}
for op in create find; do
  run "native gRPC $op" "$java" -cp "$cp" "$root/benchmarks/client-api/GrpcLoad.java" --address "127.0.0.1:$grpc_port" \
    --op "$op" --clients "$clients" --seconds "$seconds" --warmup "$warmup" --preload "$preload"
  run "grpc-websockets $op" node "$harness/bench.js" --url "http://127.0.0.1:$web_port" \
    --op "$op" --clients "$clients" --seconds "$seconds" --warmup "$warmup" --preload "$preload"
done

node -e '
const fs = require("fs")
const read = (f) => fs.readFileSync(f, "utf8").trim().split("\n").map(JSON.parse)
const lines = read(process.argv[1])
const cpu = read(process.argv[2])
console.log("| transport | op | clients | requests/s | p50 ms | p99 ms | errors | peer CPU (cores) | client CPU (cores) |")
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|")
lines.forEach((r, i) => {
  const c = cpu[i]
  const cores = (s) => (s / c.wallS).toFixed(2)
  console.log(`| ${r.transport} | ${r.op} | ${r.clients} | ${r.rps} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${cores(c.peerCpuS)} | ${cores(c.clientCpuS)} |`)
})
' "$work/results.jsonl" "$work/cpu.jsonl"
log "results in $work (results.jsonl, machine.txt, peer.log)"
errors="$(node -e 'console.log(require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse).reduce((a,r)=>a+r.errors,0))' "$work/results.jsonl")"
[ "$errors" = 0 ] || { log "$errors errors"; exit 1; }
