#!/usr/bin/env bash
# Same-run comparison of libp2p transports on loopback: bulk throughput over one yamux stream (MB/s) for
# Java->Java (two Weft transports in one JVM), Java->JS, JS->Java and JS->JS (js-libp2p 3.3.11, two node processes),
# and connection setup (TCP + Noise + yamux) p50/p99 for the same four paths. The paths are interleaved in rounds;
# ratios against JS->JS are per round, their median printed. Goal (issue): Java<->Java >= 3x JS<->JS.
#
# Usage: benchmarks/compare-libp2p.sh      (after: mvn -B -q package -DskipTests -pl benchmarks -am)
# Environment:
#   ROUNDS=5     measured rounds
#   WARMUP=3     warm-up rounds before them (JIT, yamux window growth)
#   MIB=256      MiB sent per bulk stream
#   SETUPS=30    fresh connections per path and round
#   JAVA=java NODE=node
# Without the transport on the class path (no TransportProvider), only JS->JS is measured.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
MIB="${MIB:-256}"
SETUPS="${SETUPS:-30}"
WARMUP="${WARMUP:-3}"
JAVA="${JAVA:-java}"
NODE="${NODE:-node}"
jar="$root/benchmarks/target/benchmarks.jar"
harness="$root/itests/libp2p-harness"

[[ -f "$jar" ]] || { echo "$jar missing; build it: mvn -B -q package -DskipTests -pl benchmarks -am" >&2; exit 2; }
command -v "$NODE" >/dev/null || { echo "node not found (Node.js 20+ is needed); set NODE" >&2; exit 2; }
bash "$harness/install.sh" "$harness" >&2

exec "$JAVA" -cp "$jar" io.weft.benchmarks.transport.TransportThroughput \
  --harness "$harness" --rounds "$ROUNDS" --mib "$MIB" --setups "$SETUPS" --warmup "$WARMUP" --node "$NODE"
