#!/usr/bin/env bash
# The cold path alone, for working on it: N rounds of one cold GET of a new 200 MiB blob from the
# upstream directly, through the cache and through distribution's proxy, interleaved (so a drift
# of the machine's speed hits all three alike), each client writing to /dev/null (no client-side
# disk cost: what the server side costs), with the CPU seconds each server process spent on the
# GET (the proxy's counted 1 s past its response: it stores the blob in the background, by a
# second download). Ends with the medians and their ratios.
# Needs what bench/run.sh needs. Usage: [JAR=...] [N=7] [MIB=200] [PROFILER=libasyncProfiler.so] bench/cold.sh
#   PROFILER: async-profiler's agent (tools.profiler:async-profiler on Maven Central, the .so in
#   its linux-x64 jar) samples the cache's CPU over the whole run, into $PROFILE (default
#   cold.collapsed, collapsed stacks: one line per stack and its sample count, 1 ms each).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-7}
MIB=${MIB:-200}
BYTES=$((MIB * 1024 * 1024))
export JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
if [ -n "${PROFILER:-}" ]; then
  [ -f "$PROFILER" ] || { echo "no such file: PROFILER=$PROFILER" >&2; exit 2; }
  JAVA_OPTS="$JAVA_OPTS -agentpath:$(realpath "$PROFILER")=start,event=cpu,interval=1ms,file=$(realpath -m "${PROFILE:-cold.collapsed}"),collapsed"
fi
need_jar
need docker-registry curl python3
bench_init cold
start_upstream
blobs=()
for i in $(seq 1 "$N"); do blobs+=("$(random_blob "$BYTES" "$work/b")"); done
warm=$(random_blob "$BYTES" "$work/b"); rm "$work/b"
start_proxy "$work/proxy"
start_cache "$work/cache"
UPID=${pids[0]}
C=http://127.0.0.1:$CACHE P=http://127.0.0.1:$PROXY U=http://127.0.0.1:$UP

cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }  # utime + stime, seconds
get() { sync; local t0; t0=$(now); curl -fs -o /dev/null "$1/v2/library/bench/blobs/$2"; since "$t0"; }
measured() { # pid linger-seconds url digest -> "seconds cpu-seconds upstream-cpu-seconds"
  local c0 u0 t
  c0=$(cpu "$1"); u0=$(cpu "$UPID")
  t=$(get "$3" "$4"); sleep "$2"
  echo "$t $(awk -v a="$c0" -v b="$(cpu "$1")" 'BEGIN{print b-a}') $(awk -v a="$u0" -v b="$(cpu "$UPID")" 'BEGIN{print b-a}')"
}
# the cache's JVM compiles the miss path over its first gigabytes (see bench/run.sh)
for _ in $(seq 1 $(( (2560 + MIB - 1) / MIB ))); do get "$C" "$warm" > /dev/null; forget "$work/cache" "$warm"; done
get "$P" "$warm" > /dev/null

echo "cold ${MIB} MiB GETs, client to /dev/null, $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), JAR=$JAR"
page_reporting
echo "round | upstream s | cache s, cache cpu s, upstream cpu s | proxy s, proxy cpu s, upstream cpu s"
for r in $(seq 1 "$N"); do
  d=${blobs[$((r - 1))]}
  u=$(get "$U" "$d")
  c=$(measured "$CPID" 0 "$C" "$d"); forget "$work/cache" "$d"
  p=$(measured "$PXPID" 1 "$P" "$d"); forget "$work/proxy" "$d"
  echo "$r | $u | $c | $p" | tee -a "$work/rounds"
done
python3 - "$work/rounds" "$BYTES" <<'PY'
import statistics, sys
rows = [[f.split() for f in line.split('|')[1:]] for line in open(sys.argv[1])]
med = lambda xs: statistics.median(float(x) for x in xs)
up, cache, proxy = (med(r[0][0] for r in rows), med(r[1][0] for r in rows), med(r[2][0] for r in rows))
mb = lambda s: int(sys.argv[2]) / s / 1e6
print(f"medians: upstream {up:.3f} s ({mb(up):.0f} MB/s); cache {cache:.3f} s ({mb(cache):.0f} MB/s), "
      f"{med(r[1][1] for r in rows):.2f} cpu s; proxy {proxy:.3f} s ({mb(proxy):.0f} MB/s), "
      f"{med(r[2][1] for r in rows):.2f} cpu s")
print(f"cache: {up / cache:.2f}x upstream, {proxy / cache:.2f}x proxy")
PY
