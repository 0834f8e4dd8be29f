#!/usr/bin/env bash
# The soak of the reliability matrix (row L2), with its pass criteria: the packaged cache under 200
# connections for MINUTES (default 10): 80 % warm manifests (120 connections of GETs by tag and
# digest, wrk; 40 of HEADs, ab) and 20 % warm blobs of 1 KiB to 200 MiB (40 connections, wrk),
# RSS, open descriptors and threads sampled every 10 s. Then the same 40 connections of blobs alone
# against the cache and against nginx (one worker, sendfile) serving the cache's own files at the
# same paths, 30 s each. Prints every figure with its criterion and exits 1 when one fails:
#   - 0 errors (socket errors, non-2xx; a manifest slower than 10 s, a blob slower than 60 s);
#   - p99 of the warm manifests (GET and HEAD) < 50 ms;
#   - warm blob throughput >= 0.8x nginx's, same files, same run;
#   - RSS, descriptors and threads at the end within 10 % of their level after the first fifth
#     of the load (the JVM's heap and pools have grown by then; what grows after is a leak).
# Needs: bash scripts/install-test-prereqs.sh and ./mvnw -q -DskipTests -pl cache-service -am package.
# Usage: [JAR=...] [JAVA_OPTS=...] bench/soak.sh [minutes]   (SOAK_SECONDS=60 for a short check)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need docker-registry nginx wrk ab curl openssl
need_jar
SECS=${SOAK_SECONDS:-$(( ${1:-10} * 60 ))}
BLOB_SECS=${BLOB_SECONDS:-30}
export JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
phase() { echo "== $(date +%T) $*" >&2; }
bench_init soak
echo "docker-cache soak: ${SECS}s of 200 connections, then ${BLOB_SECS}s of blobs vs nginx; JAR=$JAR, JAVA_OPTS=$JAVA_OPTS"

phase "pushing 8 images (blobs of 1 KiB to 200 MiB) to the upstream..."
start_upstream
printf '{}' > "$work/config"
cfg=$(push_blob "$work/config" library/mix)
sizes=(1K 16K 256K 1M 4M 16M 64M 200M)
: > "$work/get"; : > "$work/blobs"; blobs=()
for i in "${!sizes[@]}"; do
  d=$(random_blob "${sizes[$i]}" "$work/b$i" library/mix); n=$(stat -c %s "$work/b$i"); rm "$work/b$i"
  manifest_of "$cfg" "$d" "$n" > "$work/m$i"
  push_manifest "$work/m$i" "t$i" library/mix
  printf 'GET /v2/library/mix/manifests/t%d\nGET /v2/library/mix/manifests/sha256:%s\n' "$i" "$(sha256_hex "$work/m$i")" >> "$work/get"
  printf 'GET /v2/library/mix/blobs/%s\n' "$d" >> "$work/blobs"; blobs+=("$d")
done

phase "starting the cache and warming it..."
start_cache "$work/cache"
C=http://127.0.0.1:$CACHE
while read -r _ path; do curl -fs -o /dev/null -H "$ACCEPT" "$C$path"; done < <(cat "$work/get" "$work/blobs")
mkdir -p "$work/www"
blob_locations=""
for d in "${blobs[@]}"; do  # nginx serves the cache's own files, once committed
  f="$work/cache/docker/registry/v2/blobs/sha256/${d:7:2}/${d:7}/data"
  for _ in $(seq 1 100); do [ -f "$f" ] && break; sleep 0.1; done
  ln "$f" "$work/www/${d:7}"
  blob_locations+="location = /v2/library/mix/blobs/$d { alias $work/www/${d:7}; } "
done
start_nginx "$work/www" "$blob_locations"
N=http://127.0.0.1:$NGINX
wrk_run 120 5 "$C/" "$work/get" > /dev/null

sample() { # pid -> "rss-MiB fds threads"
  echo "$(rss_mib "$1") $(ls "/proc/$1/fd" | wc -l) $(awk '/^Threads:/{print $2}' "/proc/$1/status")"
}
phase "the soak: ${SECS}s..."
mixed_load "$C" "$SECS" "$work/get" "$work/blobs" /v2/library/mix/manifests/t0 > "$work/mixed" &
load=$!
base_at=$((SECS / 5)); t=0; : > "$work/samples"
while kill -0 "$load" 2>/dev/null; do
  sleep 10; t=$((t + 10))
  [ "$t" -le $((SECS - 5)) ] || break  # not while the load generators close their connections
  echo "$t $(sample "$CPID")" >> "$work/samples"
done
wait "$load"
read -r mg mg50 mg99 mge mh mh50 mh99 mhe mb mb50 mb99 mbe mbr kinds < "$work/mixed"
base=$(awk -v at="$base_at" '$1 >= at {print $2, $3, $4; exit}' "$work/samples")
last=$(tail -1 "$work/samples" | cut -d' ' -f2-)
[ -n "$base" ] || base=$(head -1 "$work/samples" | cut -d' ' -f2-)

phase "blobs alone, ${BLOB_SECS}s each: the cache, then nginx..."
blob_c=$(WRK_TIMEOUT=60s wrk_mbps 40 "$BLOB_SECS" "$C/" "$work/blobs" no-body)
blob_n=$(WRK_TIMEOUT=60s wrk_mbps 40 "$BLOB_SECS" "$N/" "$work/blobs" no-body)

# ---- report -----------------------------------------------------------------------------------
failed=0
check() { # description value criterion(awk expression over v)
  if awk -v v="$2" "BEGIN{exit !($3)}"; then echo "| $1 | $2 | $3 | pass |"; else echo "| $1 | $2 | $3 | **FAIL** |"; failed=1; fi
}
drift() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", (b - a) / (a > 0 ? a : 1)}'; }
read -r rss0 fd0 th0 <<<"$base"; read -r rss1 fd1 th1 <<<"$last"
p99=$(awk -v a="$mg99" -v b="$mh99" 'BEGIN{print (b == "none" ? 1e9 : a > b ? a : b)}')
echo
echo "$(date -u +%F), $(nproc) cores, $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo); ${SECS}s soak"
echo "manifest GET ${mg} req/s p50 ${mg50} / p99 ${mg99} ms; HEAD ${mh} req/s p50 ${mh50} / p99 ${mh99} ms;" \
  "blobs ${mb} req/s ${mbr} MB/s p50 ${mb50} / p99 ${mb99} ms; errors by kind ${kinds}"
echo "samples (seconds RSS-MiB descriptors threads), the base at ${base_at}s:"; sed 's/^/  /' "$work/samples"
echo
echo "| measure | value | criterion | result |"
echo "|---|---|---|---|"
check "errors during the soak (manifest GET + HEAD + blob)" "$((mge + mhe + mbe))" "v == 0"
check "p99 of warm manifests, ms (max of GET and HEAD)" "$p99" "v < 50"
check "warm blobs alone, cache ${blob_c} MB/s vs nginx ${blob_n} MB/s (ratio)" "$(awk -v a="$blob_c" -v b="$blob_n" 'BEGIN{printf "%.2f", a/b}')" "v >= 0.8"
check "RSS drift, ${rss0} -> ${rss1} MiB" "$(drift "$rss0" "$rss1")" "v < 0.10"
check "descriptor drift, ${fd0} -> ${fd1}" "$(drift "$fd0" "$fd1")" "v < 0.10"
check "thread drift, ${th0} -> ${th1}" "$(drift "$th0" "$th1")" "v < 0.10"
exit "$failed"
