# Helpers shared by the benchmarks (sourced, not run): a work directory and the processes started
# in it, all cleaned up on exit; free loopback ports; the local upstream registry and what is pushed
# into it; the cache under test; distribution's proxy; nginx; Azurite; wrk with bench/wrk.lua.
# Everything binds to 127.0.0.1.
# shellcheck shell=bash

shopt -s inherit_errexit  # a failure inside $(...) fails the assignment, hence the script
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$BENCH_DIR/.."
JAR=${JAR:-cache-service/target/quarkus-app/quarkus-run.jar}  # JAR=... benchmarks another build
AZURITE=${AZURITE:-.tools/azurite/node_modules/.bin/azurite-blob}
ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
MEDIA=application/vnd.oci.image.manifest.v1+json

sha256_hex() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }  # several times faster than sha256sum here

need() { # tool... : exits 2 naming the first one missing
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || { echo "missing $t: bash scripts/install-test-prereqs.sh" >&2; exit 2; }
  done
}
need_jar() { [ -f "${1:-$JAR}" ] || { echo "build first: ./mvnw -q -DskipTests -pl cache-service -am package (no ${1:-$JAR})" >&2; exit 2; }; }

# bench_init NAME: a fresh work directory in $work (on disk, where the registries store), and $shm
# in memory for what clients download; every pid in $pids is killed on exit.
bench_init() {
  work=$(mktemp -d "/tmp/docker-cache-$1.XXXXXX")
  shm=$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)/docker-cache-$1.XXXXXX")
  chmod 755 "$work"  # nginx workers run as an unprivileged user
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work" "$shm"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN{printf "%.3f", e-s}'; }
# wait_http URL [tenths-of-seconds]: until URL answers 2xx (polled every 20 ms), else exits 1.
wait_http() {
  local end=$(($(date +%s%N) + ${2:-300} * 100000000))
  until curl -fs -o /dev/null "$1"; do
    [ "$(date +%s%N)" -lt "$end" ] || { echo "not up: $1" >&2; exit 1; }
    sleep 0.02
  done
}
wait_tcp() { local i; for i in $(seq 1 150); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "not listening: $1" >&2; exit 1; }
rss_mib() { awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$1/status"; }

# The upstream: distribution's registry on the filesystem, its Prometheus metrics on UPDBG (which
# count what the contenders ask of it). Sets UP and UPDBG.
start_upstream() {
  UP=$(free_port); UPDBG=$(free_port)
  cat > "$work/up.yml" <<YML
version: 0.1
storage: {filesystem: {rootdirectory: $work/upstream}}
http: {addr: 127.0.0.1:$UP, debug: {addr: 127.0.0.1:$UPDBG, prometheus: {enabled: true, path: /metrics}}}
log: {level: error, accesslog: {disabled: true}}
YML
  docker-registry serve "$work/up.yml" > "$work/up.log" 2>&1 & pids+=($!)
  wait_http "http://127.0.0.1:$UP/v2/"
}
upstream_blob_gets() { # -> how many blob GETs the upstream has answered with 200 so far
  curl -fs "http://127.0.0.1:$UPDBG/metrics" \
    | awk '/^registry_http_requests_total\{/ && /code="200"/ && /handler="blob"/ && /method="get"/ {s += $2} END {printf "%d", s}'
}
push_blob() { # file [repo] -> digest
  local d loc
  d=sha256:$(sha256_hex "$1")
  loc=$(curl -fsi -X POST "http://127.0.0.1:$UP/v2/${2:-library/bench}/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  curl -fs -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$1" "$loc&digest=$d" -o /dev/null
  echo "$d"
}
random_blob() { # size file [repo] -> digest of a pushed blob of random bytes (size in bytes, or with K, M)
  head -c "$1" /dev/urandom > "$2"
  push_blob "$2" "${3:-}"
}
manifest_of() { # config-digest layer-digest layer-size -> an OCI image manifest
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$MEDIA" "$1" "$2" "$3"
}
push_manifest() { # file tag [repo]
  curl -fs -X PUT -H "Content-Type: $MEDIA" --data-binary @"$1" \
    "http://127.0.0.1:$UP/v2/${3:-library/bench}/manifests/$2" -o /dev/null
}

# start_cache ROOT [VAR=value...]: the cache under test on the filesystem at ROOT (or what the
# assignments say), JAVA_OPTS and CACHE_ENV applied. Sets CACHE, MGMT, CPID and READY_S (seconds
# from the process' start to its readiness answering 200).
start_cache() {
  local root=$1 t0; shift
  CACHE=$(free_port); MGMT=$(free_port)
  t0=$(now)
  # shellcheck disable=SC2086
  env ${CACHE_ENV:-} DOCKER_CACHE_CONFIG= DOCKER_CACHE_REMOTE_URL=http://127.0.0.1:$UP DOCKER_CACHE_FS_MOUNT_PATH="$root" \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$CACHE QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$MGMT \
    "$@" java ${JAVA_OPTS:-} -jar "${CACHE_JAR:-$JAR}" > "$root.log" 2>&1 & CPID=$!; pids+=($CPID)
  wait_http "http://127.0.0.1:$MGMT/q/health/ready"
  READY_S=$(since "$t0")
}

# page_reporting: one line on the guest's free page reporting (virtio-balloon), a hazard for the
# cold figures. With it on, the kernel hands freed pages back to the hypervisor, and the next
# write into the page cache (a cold fill's staging file) faults them back in, at several times
# the cost of the copy. The cache writes inside the client's window, distribution's proxy after.
page_reporting() {
  local d=/sys/module/page_reporting/parameters
  if [ ! -r "$d/page_reporting_order" ]; then echo "free page reporting: none"; return; fi
  local order; order=$(cat "$d/page_reporting_order")
  if [ "$order" -gt 10 ]; then echo "free page reporting: off (page_reporting_order $order)"; return; fi
  echo "free page reporting: ON (page_reporting_order $order): cold figures include the host's page faults;" \
    "off for a measurement, as root: echo 11 > $d/page_reporting_order"
}

# forget ROOT DIGEST: a blob of $BYTES bytes deleted from the store at ROOT with its library/bench
# link, behind the server's back (the next GET of it is cold again).
forget() {
  # distribution's proxy writes a blob to its store in the background, after it has served it:
  # deleted before that write ends, the blob reappears and the next "cold" GET is a warm hit (it
  # was here, every other run, at twice the cold rate). Wait for the whole file first.
  local f="$1/docker/registry/v2/blobs/sha256/${2:7:2}/${2:7}/data" i
  for i in $(seq 1 100); do [ "$(stat -c %s "$f" 2>/dev/null || echo 0)" = "$BYTES" ] && break; sleep 0.1; done
  rm -rf "$1/docker/registry/v2/blobs/sha256/${2:7:2}/${2:7}" \
    "$1/docker/registry/v2/repositories/library/bench/_layers/sha256/${2:7}"
}

# start_proxy ROOT: distribution's registry in proxy mode in front of the upstream, what users
# would run instead of the cache. Sets PROXY, PXPID and PX_READY_S (start to /v2/ answering 200).
start_proxy() {
  local t0
  PROXY=$(free_port)
  cat > "$1.yml" <<YML
version: 0.1
storage: {filesystem: {rootdirectory: $1}}
http: {addr: 127.0.0.1:$PROXY}
proxy: {remoteurl: "http://127.0.0.1:$UP"}
log: {level: error, accesslog: {disabled: true}}
YML
  t0=$(now)
  docker-registry serve "$1.yml" > "$1.log" 2>&1 & PXPID=$!; pids+=($PXPID)
  wait_http "http://127.0.0.1:$PROXY/v2/"
  PX_READY_S=$(since "$t0")
}

# start_nginx ROOT [server-directives]: nginx, one worker, sendfile, serving ROOT. Sets NGINX.
start_nginx() {
  NGINX=$(free_port)
  cat > "$work/nginx.conf" <<NGX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$NGINX; root $1; ${2:-} }
}
NGX
  nginx -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!)
  wait_tcp "$NGINX"
}

# start_azurite: Azurite's blob service (npm, scripts/install-test-prereqs.sh). Sets AZ and
# AZURE_ENV, the cache's settings for it (Azurite's documented development account and key).
start_azurite() {
  [ -x "$AZURITE" ] || { echo "no Azurite at $AZURITE: bash scripts/install-test-prereqs.sh" >&2; exit 2; }
  AZ=$(free_port)
  mkdir -p "$work/azurite"
  "$AZURITE" --blobHost 127.0.0.1 --blobPort "$AZ" --location "$work/azurite" --skipApiVersionCheck --silent \
    > "$work/azurite.log" 2>&1 & pids+=($!)
  wait_tcp "$AZ"
  AZURE_ENV=(DOCKER_CACHE_STORAGE_BACKEND=azure DOCKER_CACHE_AZURE_ACCOUNT_NAME=devstoreaccount1
    DOCKER_CACHE_AZURE_ACCOUNT_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
    DOCKER_CACHE_AZURE_ENDPOINT=http://127.0.0.1:$AZ/devstoreaccount1)
}

# wrk_run CONNS SECONDS URL [requests-file]: wrk (2 threads) through bench/wrk.lua; prints
# "requests bytes seconds errors p50-ms p99-ms kinds" (errors: socket errors, responses slower than
# WRK_TIMEOUT (default 10s), non-2xx; kinds: connect/read/write/timeout/status counts).
# The requests file, if given, holds lines "METHOD path" drawn at random for each request; a fifth
# argument "no-body" is for large blobs (wrk.lua: the bodies are not kept; only >= 400 is an error).
wrk_run() {
  local out
  out=$(wrk -t2 -c"$1" -d"$2s" --timeout "${WRK_TIMEOUT:-10s}" -H "$ACCEPT" -s "$BENCH_DIR/wrk.lua" "$3" ${4:+-- "$4" ${5:-}})
  awk '/^WRK /{print $2, $3, $4, $5, $6, $7, $8; found=1} END{exit !found}' <<<"$out" || { echo "wrk said: $out" >&2; exit 1; }
}
wrk_rps() { wrk_run "$@" | awk '{printf "%.0f", $1/$3}'; }       # req/s
wrk_mbps() { wrk_run "$@" | awk '{printf "%.0f", $2/$3/1e6}'; }  # MB/s of bodies and headers

# mixed_load BASE-URL SECONDS GET-FILE BLOB-FILE HEAD-PATH: 200 connections at once for SECONDS,
# 120 of manifest GETs drawn from GET-FILE (wrk), 40 of blob GETs drawn from BLOB-FILE (wrk, bodies
# not kept, so only >= 400 counts among their statuses; a slow blob is no error below 60 s) and 40 of HEADs of HEAD-PATH (ab: wrk cannot HEAD). Prints one line:
# for manifest GET, manifest HEAD, blob GET each "req/s p50 p99 errors", then blob MB/s, then the
# errors by kind.
mixed_load() {
  local ab_out mg_n mg_s mg_e mg_50 mg_99 mg_k mb_n mb_b mb_s mb_e mb_50 mb_99 mb_k
  wrk_run 120 "$2" "$1/" "$3" > "$work/mget.$$" &
  local w1=$!
  WRK_TIMEOUT=60s wrk_run 40 "$2" "$1/" "$4" no-body > "$work/mblob.$$" &  # a slow blob is no error
  local w2=$!
  ab_out=$(ab -q -r -k -i -c 40 -t "$2" -n 100000000 -H "$ACCEPT" "$1$5" 2>&1) \
    || { echo "ab failed: $ab_out" >&2; exit 1; }
  wait "$w1"; wait "$w2"
  echo "$ab_out" > "$work/mhead.$$"; [ -z "${DEBUG:-}" ] || cat "$work/mget.$$" "$work/mblob.$$" "$work/mhead.$$" >&2
  read -r mg_n _ mg_s mg_e mg_50 mg_99 mg_k < "$work/mget.$$"
  read -r mb_n mb_b mb_s mb_e mb_50 mb_99 mb_k < "$work/mblob.$$"
  awk -v n="$mg_n" -v s="$mg_s" -v e="$mg_e" -v p50="$mg_50" -v p99="$mg_99" \
      -v bn="$mb_n" -v bb="$mb_b" -v bs="$mb_s" -v be="$mb_e" -v b50="$mb_50" -v b99="$mb_99" -v gk="$mg_k" -v bk="$mb_k" '
    /^Complete requests:/{hn=$3} /^Failed requests:/{hf=$3} /^Non-2xx responses:/{hx=$3}
    /^Time taken for tests:/{hs=$5} /^ +50%/{h50=$2} /^ +99%/{h99=$2}
    END{if (h50 == "") h50 = h99 = "none";  # ab prints no percentiles when no HEAD completed
        printf "%.0f %s %s %d %.0f %s %s %d %.0f %s %s %d %.0f GET:%s,HEAD:%d/%d,blobs:%s\n", n/s, p50, p99, e,
               hn/(hs ? hs : 1), h50, h99, hf+hx, bn/bs, b50, b99, be, bb/bs/1e6, gk, hf, hx, bk}' <<<"$ab_out"
}
