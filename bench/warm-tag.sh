#!/usr/bin/env bash
# The warm manifest paths alone, in one run, for a development loop: tag GET and digest GET with
# wrk (which cannot measure HEAD: it waits for the body a Content-Length announces) against each cache jar given (e.g. the build before a change and after it), beside
# nginx serving the very same manifest bytes. Optionally records a JFR profile of the first jar.
# Everything binds to 127.0.0.1. Needs docker-registry, nginx, wrk, curl, sha256sum (and Azurite for AZURITE=).
# Usage: bench/warm-tag.sh [wrk-seconds (default 10)] [jar...]
#   JFR=/path/out.jfr   record the first jar's run (then: jfr print --events jdk.ExecutionSample)
#   CONNS=16            wrk connections
#   CACHE_ENV="K=V ..." extra environment for every cache (e.g. DOCKER_CACHE_MEMORY_CACHE_SIZE=0)
#   AZURITE=.tools/azurite/node_modules/.bin/azurite-blob   also each jar's tag GET on Azurite
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
shift || true
JARS=("$@")
[ ${#JARS[@]} -gt 0 ] || JARS=(cache-service/target/quarkus-app/quarkus-run.jar)
CONNS=${CONNS:-16}
for t in docker-registry nginx wrk curl sha256sum; do
  command -v "$t" >/dev/null || { echo "missing $t: bash scripts/install-test-prereqs.sh" >&2; exit 2; }
done
for j in "${JARS[@]}"; do [ -f "$j" ] || { echo "no such jar: $j" >&2; exit 2; }; done

work=$(mktemp -d /tmp/docker-cache-warmtag.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

UP=$(free_port); NGINX=$(free_port)
cat > "$work/up.yml" <<YML
version: 0.1
storage: {filesystem: {rootdirectory: $work/upstream}}
http: {addr: 127.0.0.1:$UP}
log: {level: error, accesslog: {disabled: true}}
YML
docker-registry serve "$work/up.yml" > "$work/up.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$UP/v2/"

push_blob() { # file -> digest
  local d loc
  d=sha256:$(sha256sum "$1" | cut -d' ' -f1)
  loc=$(curl -fsi -X POST "http://127.0.0.1:$UP/v2/library/bench/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  curl -fs -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$1" "$loc&digest=$d" -o /dev/null
  echo "$d"
}
printf '{}' > "$work/config"
cdigest=$(push_blob "$work/config")
head -c 4096 /dev/urandom > "$work/layer"
ldigest=$(push_blob "$work/layer")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":4096}]}' \
  "$cdigest" "$ldigest" > "$work/manifest"
mdigest=sha256:$(sha256sum "$work/manifest" | cut -d' ' -f1)
curl -fs -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$work/manifest" \
  "http://127.0.0.1:$UP/v2/library/bench/manifests/latest" -o /dev/null

mkdir -p "$work/www"
cp "$work/manifest" "$work/www/manifest"
cat > "$work/nginx.conf" <<NGX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/vnd.oci.image.manifest.v1+json;
  server { listen 127.0.0.1:$NGINX; root $work/www; }
}
NGX
nginx -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!)
wait_http "http://127.0.0.1:$NGINX/manifest"

ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
rate() { # url -> req/s (non-2xx answers make it fail)
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" -H "$ACCEPT" "$1")
  if grep -q 'Non-2xx' <<<"$out"; then echo "non-2xx answers from $1: $out" >&2; exit 1; fi
  awk '/Requests\/sec/{printf "%.0f", $2}' <<<"$out"
}
row() { printf '%-34s %12s %12s %14s\n' "$@"; }

nginx_get=$(rate "http://127.0.0.1:$NGINX/manifest")
azure_env=()
if [ -n "${AZURITE:-}" ]; then
  AZ=$(free_port)
  mkdir -p "$work/azurite"
  "$AZURITE" --blobHost 127.0.0.1 --blobPort "$AZ" --location "$work/azurite" --skipApiVersionCheck --silent \
    > "$work/azurite.log" 2>&1 & pids+=($!)
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$AZ") 2>/dev/null && break; sleep 0.2; done
  # Azurite's documented development account and key.
  azure_env=(DOCKER_CACHE_STORAGE_BACKEND=azure DOCKER_CACHE_AZURE_ACCOUNT_NAME=devstoreaccount1
    DOCKER_CACHE_AZURE_ACCOUNT_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
    DOCKER_CACHE_AZURE_ENDPOINT=http://127.0.0.1:$AZ/devstoreaccount1)
fi

start_cache() { # jar index [extra env...] -> sets CACHE, cpid
  local jar=$1 n=$2
  shift 2
  CACHE=$(free_port); MGMT=$(free_port)
  jfr=()
  if [ "$n" = 0 ] && [ -n "${JFR:-}" ]; then
    jfr=("-XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true")
  fi
  # shellcheck disable=SC2086
  env ${CACHE_ENV:-} "$@" DOCKER_CACHE_CONFIG= DOCKER_CACHE_REMOTE_URL=http://127.0.0.1:$UP \
    DOCKER_CACHE_FS_MOUNT_PATH="$work/cache$n" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$CACHE \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$MGMT \
    java "${jfr[@]}" -jar "$jar" > "$work/cache$n.log" 2>&1 &
  cpid=$!
  pids+=($cpid)
  wait_http "http://127.0.0.1:$MGMT/q/health/ready"
}

results=()
i=0
for jar in "${JARS[@]}"; do
  start_cache "$jar" $i
  base="http://127.0.0.1:$CACHE/v2/library/bench/manifests"
  got=$(curl -fs -H "$ACCEPT" "$base/latest" | sha256sum | cut -d' ' -f1)
  [ "sha256:$got" = "$mdigest" ] || { echo "$jar served other bytes for the tag" >&2; exit 1; }
  # JIT warm-up of both paths before measuring (all within the default 60 s tag TTL).
  wrk -t2 -c"$CONNS" -d4s -H "$ACCEPT" "$base/latest" > /dev/null
  wrk -t2 -c"$CONNS" -d2s -H "$ACCEPT" "$base/$mdigest" > /dev/null
  tag_get=$(rate "$base/latest")
  dig_get=$(rate "$base/$mdigest")
  kill "$cpid"; wait "$cpid" 2>/dev/null || true
  az_get=-
  if [ ${#azure_env[@]} -gt 0 ]; then
    start_cache "$jar" "az$i" "${azure_env[@]}" DOCKER_CACHE_AZURE_CONTAINER_NAME="bench$i"
    curl -fs -o /dev/null -H "$ACCEPT" "http://127.0.0.1:$CACHE/v2/library/bench/manifests/latest"
    wrk -t2 -c"$CONNS" -d2s -H "$ACCEPT" "http://127.0.0.1:$CACHE/v2/library/bench/manifests/latest" > /dev/null
    az_get=$(rate "http://127.0.0.1:$CACHE/v2/library/bench/manifests/latest")
    kill "$cpid"; wait "$cpid" 2>/dev/null || true
  fi
  results+=("$jar|$tag_get|$dig_get|$az_get")
  i=$((i + 1))
done

echo
echo "warm manifests: wrk ${SECS}s c$CONNS, $(nproc) cores, $(date -u +%FT%TZ)"
echo "nginx, same bytes: $nginx_get req/s"
row "jar" "tag GET" "digest GET" "tag GET azure"
first_get=
for r in "${results[@]}"; do
  IFS='|' read -r jar g d a <<<"$r"
  row "$(basename "$(dirname "$(dirname "$jar")")")/$(basename "$(dirname "$jar")")" "$g" "$d" "$a"
  if [ "$a" != - ]; then
    awk -v g="$g" -v a="$a" 'BEGIN{printf "  tag GET on Azurite vs filesystem: %.2fx\n", a/g}'
  fi
  awk -v g="$g" -v n="$nginx_get" 'BEGIN{printf "  tag GET vs nginx: %.2fx\n", g/n}'
  if [ -z "$first_get" ]; then first_get=$g; else
    awk -v g="$g" -v f="$first_get" 'BEGIN{printf "  tag GET vs the first jar: %.2fx\n", g/f}'
  fi
done
