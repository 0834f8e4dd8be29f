#!/usr/bin/env bash
# The benchmark of issue 11, in one run: the packaged cache beside what users would pick instead,
# distribution's registry in proxy mode (`docker-registry` with `proxy: remoteurl:`), both in front
# of the same local upstream registry, and beside nginx (one worker, sendfile) serving the same
# bytes. Every figure is printed beside its baselines from this run and as a ratio:
#   - cold blob GET of an uncached blob, 1 client and 8 concurrent clients of the same blob
#     (vs. the proxy and the upstream directly); every body downloaded is checked by sha256,
#   - warm blob GET, 1 client (curl) and 8 connections (wrk) (vs. nginx sendfile and the proxy),
#   - warm tag GET, wrk 16 connections, filesystem and Azure (Azurite) backends (vs. nginx serving
#     the same manifest bytes with the same headers, and the proxy),
#   - a mixed load of 200 connections: 120 manifest GETs (wrk), 40 manifest HEADs (ab: wrk cannot
#     HEAD, it waits for the body Content-Length announces) and 40 blob GETs of 1 KiB to 64 MiB
#     (wrk), with req/s, p50/p99 latency and errors (socket errors and non-2xx), vs. the proxy,
#   - time from process start to ready, and the RSS of each process after the mixed load,
#   - whole-image pulls with skopeo (which checks every digest): cold and warm, vs. the proxy.
# Ends with a Markdown table against the issue's "must reach" column. Everything binds to 127.0.0.1.
# Needs: bash scripts/install-test-prereqs.sh and ./mvnw -q -DskipTests -pl cache-service -am package.
# Usage: [JAR=path/quarkus-run.jar] [JAVA_OPTS=...] bench/run.sh [--quick] [blob-MiB] [wrk-seconds] [mixed-seconds]
#   defaults: 200 MiB, 10 s, 60 s (about 5 minutes); --quick: 32 MiB, 3 s, 10 s, mixed blobs up
#   to 4 MiB (about a minute). JAVA_OPTS defaults to -Xmx512m, the heap the deployment gives the
#   cache (half its 1 GiB memory limit).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
QUICK=
if [ "${1:-}" = --quick ]; then QUICK=1; shift; fi
MIB=${1:-${QUICK:+32}}; MIB=${MIB:-200}
SECS=${2:-${QUICK:+3}}; SECS=${SECS:-10}
MIXED=${3:-${QUICK:+10}}; MIXED=${MIXED:-60}
WARMUP=$((SECS < 4 ? 2 : 4))  # seconds of wrk that warm the cache's JIT before a wrk measurement
export JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
need_jar
need docker-registry nginx wrk ab curl openssl skopeo python3
T0=$(now)
phase() { printf '%6.1fs  %s\n' "$(since "$T0")" "$1"; }
bench_init bench
BYTES=$((MIB * 1024 * 1024))
echo "docker-cache bench: ${MIB} MiB blobs, wrk ${SECS}s, mixed load ${MIXED}s, JAR=$JAR, JAVA_OPTS=$JAVA_OPTS"

# ---- content in the upstream ------------------------------------------------------------------
start_upstream
phase "pushing the test content to the upstream..."
printf '{}' > "$work/config"
cfg=$(push_blob "$work/config"); push_blob "$work/config" library/mix > /dev/null
image() { # tag layer-digest layer-size [repo] -> manifest digest; the manifest is kept in $work/m.TAG
  manifest_of "$cfg" "$2" "$3" > "$work/m.$1"
  push_manifest "$work/m.$1" "$1" "${4:-}"
  echo "sha256:$(sha256_hex "$work/m.$1")"
}
big1=$(random_blob "$BYTES" "$work/big1"); rm "$work/big1"   # cold, 1 client; then the warm blob
big8=$(random_blob "$BYTES" "$work/big8"); rm "$work/big8"   # cold, 8 clients
warm=$(random_blob "$BYTES" "$work/warm"); rm "$work/warm"   # warms the miss path up first
layer=$(random_blob "$BYTES" "$work/layer"); rm "$work/layer"  # the skopeo pulls' layer
tagged=$(image latest "$big1" "$BYTES")
image pull "$layer" "$BYTES" > /dev/null
# The mixed load: 8 images, each of a config and one blob of 1 KiB to 64 MiB.
sizes=(1K 16K 256K 1M 4M 16M 64M 8M)
[ -z "$QUICK" ] || sizes=(1K 4K 16K 64K 256K 1M 4M 2M)
: > "$work/mix-get"; : > "$work/mix-blobs"
for i in "${!sizes[@]}"; do
  d=$(random_blob "${sizes[$i]}" "$work/mix$i" library/mix); n=$(stat -c %s "$work/mix$i"); rm "$work/mix$i"
  m=$(image "t$i" "$d" "$n" library/mix)
  printf 'GET /v2/library/mix/manifests/t%d\nGET /v2/library/mix/manifests/%s\n' "$i" "$m" >> "$work/mix-get"
  printf 'GET /v2/library/mix/blobs/%s\n' "$d" >> "$work/mix-blobs"
done

# ---- the contenders, timed from process start to ready ----------------------------------------
start_proxy "$work/proxy"
start_cache "$work/cache"
ready_c=$READY_S ready_p=$PX_READY_S
echo "ready after: cache ${ready_c}s, distribution's proxy ${ready_p}s"
C=http://127.0.0.1:$CACHE P=http://127.0.0.1:$PROXY U=http://127.0.0.1:$UP

check_sha() { # file digest: the file's sha256 must be the digest
  [ "sha256:$(sha256_hex "$1")" = "$2" ] || { echo "wrong bytes: $1 is not $2" >&2; exit 1; }
}
gets() { # url clients digest -> seconds until every one of the concurrent GETs ended, bodies checked
  local t0 i ps=()
  sync  # the disk writes of what came before are not this measurement's
  t0=$(now)
  for i in $(seq 1 "$2"); do curl -fs -o "$shm/dl$i" "$1" & ps+=($!); done
  for i in "${ps[@]}"; do wait "$i" || { echo "GET $1 failed" >&2; exit 1; }; done
  since "$t0"
  for i in $(seq 1 "$2"); do check_sha "$shm/dl$i" "$3" & ps+=($!); done
  for i in "${ps[@]}"; do wait "$i"; done
  rm -f "$shm"/dl*
}
rate() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.0f", b/s/1e6}'; }  # bytes seconds -> MB/s
blob() { echo "$1/v2/library/bench/blobs/$2"; }

phase "cold blob GETs..."
# A running cache has filled many blobs; a fresh JVM compiles the miss path only over its first
# gigabytes (here the cache's CPU per 200 MiB miss fell from 1.4 s to 0.3 s over its first 12).
# So the cache fills the warm-up blob again and again, about 2.5 GiB in all (it is deleted from
# its store behind its back between fills), before the cold GETs that count. Go needs none.
warm_fills=$(( (2560 + MIB - 1) / MIB )); [ "$warm_fills" -le 80 ] || warm_fills=80
for _ in $(seq 1 "$warm_fills"); do
  gets "$(blob "$C" "$warm")" 1 "$warm" > /dev/null
  forget "$work/cache" "$warm"
done
gets "$(blob "$P" "$warm")" 1 "$warm" > /dev/null
# One cold GET varies by half from one to the next here, so every cold figure is the median of 3:
# the cache and the proxy forget the blob between them (the upstream is never cold). The last
# leaves the blob stored, for the warm GETs.
median3() { # url clients digest [store-root] -> median seconds of 3 GETs
  local i
  for i in 1 2 3; do
    [ -z "${4:-}" ] || [ "$i" = 1 ] || forget "$4" "$3"
    gets "$1" "$2" "$3"; echo
  done | sort -n | sed -n 2p
}
# What each contender asked of the upstream for those 3 cold GETs (its blob GETs, per cold GET),
# counted once its store has the blob (the proxy stores in the background, by a fetch of its own).
fetches() { # store-root digest before -> upstream blob GETs per cold GET, one decimal
  local f="$1/docker/registry/v2/blobs/sha256/${2:7:2}/${2:7}/data" i
  for i in $(seq 1 100); do [ "$(stat -c %s "$f" 2>/dev/null || echo 0)" = "$BYTES" ] && break; sleep 0.1; done
  sleep 0.5
  awk -v a="$3" -v b="$(upstream_blob_gets)" 'BEGIN{printf "%.1f", (b - a) / 3}'
}
t=$(median3 "$(blob "$U" "$big1")" 1 "$big1"); cold1_up=$(rate "$BYTES" "$t")
n0=$(upstream_blob_gets)
t=$(median3 "$(blob "$C" "$big1")" 1 "$big1" "$work/cache"); cold1_c=$(rate "$BYTES" "$t"); cold1_ct=$t
up1_c=$(fetches "$work/cache" "$big1" "$n0"); n0=$(upstream_blob_gets)
t=$(median3 "$(blob "$P" "$big1")" 1 "$big1" "$work/proxy"); cold1_p=$(rate "$BYTES" "$t")
up1_p=$(fetches "$work/proxy" "$big1" "$n0")
t=$(median3 "$(blob "$U" "$big8")" 8 "$big8"); cold8_up=$(rate $((8 * BYTES)) "$t")
n0=$(upstream_blob_gets)
t=$(median3 "$(blob "$C" "$big8")" 8 "$big8" "$work/cache"); cold8_c=$(rate $((8 * BYTES)) "$t")
up8_c=$(fetches "$work/cache" "$big8" "$n0"); n0=$(upstream_blob_gets)
t=$(median3 "$(blob "$P" "$big8")" 8 "$big8" "$work/proxy"); cold8_p=$(rate $((8 * BYTES)) "$t")
up8_p=$(fetches "$work/proxy" "$big8" "$n0")

phase "skopeo pulls..."
pull() { # registry -> seconds for skopeo to copy library/bench:pull (digests checked) into a fresh dir
  local t0; rm -rf "$shm/pulled"; sync; t0=$(now)
  skopeo copy -q --src-tls-verify=false "docker://${1#http://}/library/bench:pull" "dir:$shm/pulled" > /dev/null
  since "$t0"
}
pull_up=$(pull "$U"); pull_c=$(pull "$C"); pull_cw=$(pull "$C"); pull_p=$(pull "$P"); pull_pw=$(pull "$P")
rm -rf "$shm/pulled"

# nginx serves the cache's own file of the big blob, and the tag's manifest bytes with the
# cache's headers, at the same paths.
mkdir -p "$work/www"
ln "$work/cache/docker/registry/v2/blobs/sha256/${big1:7:2}/${big1:7}/data" "$work/www/blob"
cp "$work/m.latest" "$work/www/manifest"
hdrs() { echo "add_header Docker-Distribution-API-Version registry/2.0; add_header Docker-Content-Digest $1; etag off; add_header Etag '\"$1\"';"; }
start_nginx "$work/www" "
  location = /v2/library/bench/blobs/$big1 { $(hdrs "$big1") alias $work/www/blob; }
  location = /v2/library/bench/manifests/latest { types {} default_type $MEDIA; $(hdrs "$tagged") alias $work/www/manifest; }"
N=http://127.0.0.1:$NGINX

phase "warm blob GETs..."
warm_get() { # url n -> MB/s of n GETs one after the other
  local t0 i; t0=$(now)
  for i in $(seq 1 "$2"); do curl -fs -o /dev/null "$1"; done
  rate $(($2 * BYTES)) "$(since "$t0")"
}
gets "$(blob "$C" "$big1")" 1 "$big1" > /dev/null; gets "$(blob "$N" "$big1")" 1 "$big1" > /dev/null
reps=$((MIB >= 100 ? 5 : 10))
warm1_c=$(warm_get "$(blob "$C" "$big1")" $reps)
warm1_n=$(warm_get "$(blob "$N" "$big1")" $reps)
warm1_p=$(warm_get "$(blob "$P" "$big1")" $reps)
wrk_run 8 "$WARMUP" "$(blob "$C" "$big1")" > /dev/null
warm8_c=$(wrk_mbps 8 "$SECS" "$(blob "$C" "$big1")")
warm8_n=$(wrk_mbps 8 "$SECS" "$(blob "$N" "$big1")")
warm8_p=$(wrk_mbps 8 "$SECS" "$(blob "$P" "$big1")")

phase "warm tag GETs..."
tag() { echo "$1/v2/library/bench/manifests/latest"; }
for u in "$C" "$P" "$N"; do
  curl -fs -H "$ACCEPT" -o "$work/got" "$(tag "$u")"; check_sha "$work/got" "$tagged"
done
wrk_run 16 "$WARMUP" "$(tag "$C")" > /dev/null
tag_c=$(wrk_rps 16 "$SECS" "$(tag "$C")")
tag_n=$(wrk_rps 16 "$SECS" "$(tag "$N")")
tag_p=$(wrk_rps 16 "$SECS" "$(tag "$P")")

phase "mixed load, ${MIXED}s of 200 connections, each target..."
while read -r _ path; do
  for u in "$C" "$P"; do curl -fs -o /dev/null -H "$ACCEPT" "$u$path"; done
done < <(cat "$work/mix-get" "$work/mix-blobs")
mixed() { mixed_load "$1" "$MIXED" "$work/mix-get" "$work/mix-blobs" /v2/library/mix/manifests/t0; }
wrk_run 120 "$WARMUP" "$C/" "$work/mix-get" > /dev/null
mixed "$C" > "$work/mixed-cache"
read -r mg_c mg50_c mg99_c mge_c mh_c mh50_c mh99_c mhe_c mb_c mb50_c mb99_c mbe_c mbr_c kinds_c < "$work/mixed-cache"
rss_c=$(rss_mib "$CPID")
mixed "$P" > "$work/mixed-proxy"
read -r mg_p mg50_p mg99_p mge_p mh_p mh50_p mh99_p mhe_p mb_p mb50_p mb99_p mbe_p mbr_p kinds_p < "$work/mixed-proxy"
rss_p=$(rss_mib "$PXPID")
stop "$CPID"; stop "$PXPID"

phase "warm tag GETs on Azurite..."
start_azurite
start_cache "$work/cache-az" "${AZURE_ENV[@]}" DOCKER_CACHE_AZURE_CONTAINER_NAME=bench
A=http://127.0.0.1:$CACHE
curl -fs -H "$ACCEPT" -o "$work/got" "$(tag "$A")"; check_sha "$work/got" "$tagged"
wrk_run 16 "$WARMUP" "$(tag "$A")" > /dev/null
tag_a=$(wrk_rps 16 "$SECS" "$(tag "$A")")
stop "$CPID"

# ---- report -----------------------------------------------------------------------------------
x() { awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2fx", a/b; else print "-"}'; }
yes() { awk "BEGIN{exit !($1)}" && echo yes || echo "**no**"; }
mp99=$(awk -v a="$mg99_c" -v b="$mh99_c" 'BEGIN{print (b == "none" ? 1e9 : a > b ? a : b)}')
merr=$((mge_c + mhe_c + mbe_c)); merr_p=$((mge_p + mhe_p + mbe_p))
mrps=$((mg_c + mh_c)); mrps_p=$((mg_p + mh_p))
cores=$(nproc); cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
echo
echo "docker-cache bench, $(date -u +%FT%TZ), $cores cores ($cpu), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), loopback"
echo "${MIB} MiB blobs; wrk ${SECS}s; mixed ${MIXED}s; JAVA_OPTS=$JAVA_OPTS; nginx: 1 worker, sendfile"
echo "proxy = distribution's registry $(docker-registry --version 2>/dev/null | awk '{print $3}') in proxy mode; rates in MB (10^6 bytes)"
page_reporting
echo
echo "| measure | docker-cache | baselines | ratio | issue's \"must reach\" |"
echo "|---|---|---|---|---|"
echo "| cold ${MIB} MiB blob GET, 1 client | ${cold1_c} MB/s (${cold1_ct} s) | proxy ${cold1_p} MB/s; upstream directly ${cold1_up} MB/s | $(x "$cold1_c" "$cold1_up") upstream; $(x "$cold1_c" "$cold1_p") proxy | 0.5x upstream and 1.0x proxy: $(yes "$cold1_c >= 0.5 * $cold1_up && $cold1_c >= $cold1_p") |"
echo "| cold ${MIB} MiB blob GET, 8 clients of it at once (all 8 bodies) | ${cold8_c} MB/s | proxy ${cold8_p} MB/s; upstream directly ${cold8_up} MB/s | $(x "$cold8_c" "$cold8_up") upstream; $(x "$cold8_c" "$cold8_p") proxy | - |"
echo "| upstream blob GETs per cold GET, 1 client / 8 clients at once (the bytes each cold GET costs the upstream) | ${up1_c} / ${up8_c} | proxy ${up1_p} / ${up8_p} | - | - |"
echo "| warm ${MIB} MiB blob GET, 1 client | ${warm1_c} MB/s | nginx ${warm1_n} MB/s; proxy ${warm1_p} MB/s | $(x "$warm1_c" "$warm1_n") nginx; $(x "$warm1_c" "$warm1_p") proxy | - |"
echo "| warm ${MIB} MiB blob GET, wrk 8 connections | ${warm8_c} MB/s | nginx sendfile ${warm8_n} MB/s; proxy ${warm8_p} MB/s | $(x "$warm8_c" "$warm8_n") nginx; $(x "$warm8_c" "$warm8_p") proxy | 0.9x nginx: $(yes "$warm8_c >= 0.9 * $warm8_n") |"
echo "| warm tag GET, filesystem, wrk 16 connections | ${tag_c} req/s | nginx, same bytes and headers, ${tag_n} req/s; proxy ${tag_p} req/s | $(x "$tag_c" "$tag_n") nginx; $(x "$tag_c" "$tag_p") proxy | 0.25x nginx: $(yes "$tag_c >= 0.25 * $tag_n") |"
echo "| warm tag GET, Azure (Azurite), wrk 16 connections | ${tag_a} req/s | filesystem ${tag_c} req/s; proxy (filesystem) ${tag_p} req/s | $(x "$tag_a" "$tag_c") filesystem; $(x "$tag_a" "$tag_p") proxy | 0.5x filesystem: $(yes "$tag_a >= 0.5 * $tag_c") |"
echo "| mixed ${MIXED}s, 200 connections: manifests (120 GET + 40 HEAD) | ${mrps} req/s; GET p50 ${mg50_c} / p99 ${mg99_c} ms; HEAD p50 ${mh50_c} / p99 ${mh99_c} ms | proxy ${mrps_p} req/s; GET p50 ${mg50_p} / p99 ${mg99_p} ms; HEAD p50 ${mh50_p} / p99 ${mh99_p} ms | $(x "$mrps" "$mrps_p") proxy | p99 < 50 ms: $(yes "$mp99 < 50") |"
echo "| mixed, the same run: blobs of 1 KiB to ${sizes[6]/M/ MiB} (40 connections) | ${mb_c} req/s, ${mbr_c} MB/s; p50 ${mb50_c} / p99 ${mb99_c} ms | proxy ${mb_p} req/s, ${mbr_p} MB/s; p50 ${mb50_p} / p99 ${mb99_p} ms | $(x "$mbr_c" "$mbr_p") proxy | - |"
echo "| mixed, the same run: errors (socket errors, non-2xx; manifests > 10 s, blobs > 60 s) | ${merr} | proxy ${merr_p} | - | 0 errors: $(yes "$merr == 0") |"
echo "| start to ready (readiness 200; proxy: /v2/ 200) | ${ready_c} s | proxy ${ready_p} s | $(x "$ready_c" "$ready_p") proxy | - |"
echo "| RSS after the mixed load | ${rss_c} MiB | proxy ${rss_p} MiB | $(x "$rss_c" "$rss_p") proxy | - |"
echo "| image pull (skopeo, ${MIB} MiB layer), cold / warm | ${pull_c} s / ${pull_cw} s | proxy ${pull_p} s / ${pull_pw} s; upstream directly ${pull_up} s | $(x "$pull_up" "$pull_c") upstream (cold) | - |"
echo
echo "mixed-load errors by kind (wrk: connect/read/write/timeout/non-2xx; ab HEAD: failed/non-2xx):"
echo "  docker-cache $kinds_c"
echo "  proxy        $kinds_p"
echo "bench took $(since "$T0") s"
