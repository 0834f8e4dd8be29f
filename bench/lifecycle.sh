#!/usr/bin/env bash
# Benchmarks the storage lifecycle (issue 9), every figure beside its baseline from the same run:
#   - warm tag GETs and warm blob GETs with wrk, lifecycle off (no limit: uses not tracked)
#     versus on (a cap, an idle limit and a 10 s eviction interval: every use tracked),
#   - one eviction run over a store of 10,000 small blobs (1,000 images of 10 blobs), evicting
#     half of it: time of the run, the process' peak RSS, and heap in use after it.
# Everything binds to 127.0.0.1. Needs: bash scripts/install-test-prereqs.sh, and
# ./mvnw -q -DskipTests -pl cache-service -am package.
# Usage: bench/lifecycle.sh [wrk-seconds (default 10)]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECS=${1:-10}
need_jar
need docker-registry wrk curl openssl python3 jcmd

bench_init lifecycle-bench
start_upstream
ldigest=$(random_blob 20M "$work/layer")
printf '{}' > "$work/config"
cdigest=$(push_blob "$work/config")
manifest_of "$cdigest" "$ldigest" $((20 * 1024 * 1024)) > "$work/manifest"
push_manifest "$work/manifest" latest

stop_cache() { stop "$CPID"; }
rps() { wrk_rps "$1" "$SECS" "$2"; }
gbps() { wrk_mbps "$1" "$SECS" "$2"; }  # MB/s

measure() { # label -> "tag-rps blob-MBps"
  local base="http://127.0.0.1:$CACHE/v2/library/bench"
  curl -fs -o /dev/null "$base/manifests/latest" -H 'Accept: application/vnd.oci.image.manifest.v1+json'
  curl -fs -o /dev/null "$base/blobs/$ldigest"
  rps 2 "$base/manifests/latest" >/dev/null  # JIT warm-up
  echo "$(rps 16 "$base/manifests/latest") $(gbps 8 "$base/blobs/$ldigest")"
}

echo "warm throughput, lifecycle off then on (${SECS}s of wrk each)..."
start_cache "$work/off" DOCKER_CACHE_MAX_SIZE=0 DOCKER_CACHE_MAX_IDLE=0 DOCKER_CACHE_MIN_FREE_SPACE=0
read -r off_tag off_blob < <(measure); stop_cache
start_cache "$work/on" DOCKER_CACHE_MAX_SIZE=100GiB DOCKER_CACHE_MAX_IDLE=168h DOCKER_CACHE_EVICTION_INTERVAL=10s
read -r on_tag on_blob < <(measure); stop_cache

echo "generating a store of 1,000 images x 10 blobs of 1 KiB..."
python3 - "$work/big" <<'PY'
import hashlib, json, os, sys
root = os.path.join(sys.argv[1], "docker/registry/v2")
def put(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f: f.write(data)
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    put(f"{root}/blobs/sha256/{h[:2]}/{h}/data", data)
    return "sha256:" + h
for i in range(1000):
    repo = f"{root}/repositories/bench/img{i}"
    descs = []
    for j in range(10):
        d = blob(os.urandom(1024))
        put(f"{repo}/_layers/sha256/{d[7:]}/link", d.encode())
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": 1024})
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": descs[0], "layers": descs[1:]}).encode()
    md = blob(m)
    put(f"{repo}/_manifests/revisions/sha256/{md[7:]}/link", md.encode())
    put(f"{repo}/_manifests/tags/latest/current/link", md.encode())
    put(f"{repo}/_manifests/tags/latest/index/sha256/{md[7:]}/link", md.encode())
PY
total=$(find "$work/big/docker/registry/v2/blobs" -name data -printf '%s\n' | awk '{t+=$1} END{print t}')
JAVA_OPTS=-Xmx256m start_cache "$work/big" DOCKER_CACHE_MAX_SIZE=$((total / 2)) DOCKER_CACHE_EVICTION_GRACE=0
for _ in $(seq 1 600); do grep -q 'eviction: removed' "$work/big.log" && break; sleep 0.1; done
run=$(grep -o 'eviction: removed.*' "$work/big.log" | head -1)
hwm=$(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' /proc/$CPID/status)
heap=$(jcmd "$CPID" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1 | awk '{printf "%.0f MiB", $2/1024}')
stop_cache

row() { printf '%-46s %16s %16s %8s\n' "$1" "$2" "$3" "$4"; }
echo
row "measure" "lifecycle on" "lifecycle off" "on/off"
row "warm tag GET, wrk 16 connections (req/s)" "$on_tag" "$off_tag" "$(awk -v a="$on_tag" -v b="$off_tag" 'BEGIN{printf "%.2fx", a/b}')"
row "warm 20 MiB blob, wrk 8 connections (MB/s)" "$on_blob" "$off_blob" "$(awk -v a="$on_blob" -v b="$off_blob" 'BEGIN{printf "%.2fx", a/b}')"
echo
echo "one eviction run over 10,000 blobs of 1 KiB (cap: half the store, -Xmx256m):"
echo "  ${run:-no eviction line in the log}"
echo "  peak RSS of the cache process: $hwm; heap in use after the run: ${heap:-unknown}"
