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
AZ_ON=${AZURITE:-}
source "$(dirname "$0")/lib.sh"
SECS=${1:-10}
shift || true
JARS=("$@")
[ ${#JARS[@]} -gt 0 ] || JARS=("$JAR")
CONNS=${CONNS:-16}
need docker-registry nginx wrk curl sha256sum openssl python3
for j in "${JARS[@]}"; do need_jar "$j"; done

bench_init warmtag
start_upstream
printf '{}' > "$work/config"
cdigest=$(push_blob "$work/config")
ldigest=$(random_blob 4096 "$work/layer")
manifest_of "$cdigest" "$ldigest" 4096 > "$work/manifest"
mdigest=sha256:$(sha256sum "$work/manifest" | cut -d' ' -f1)
push_manifest "$work/manifest" latest

mkdir -p "$work/www"
cp "$work/manifest" "$work/www/manifest"
start_nginx "$work/www" "default_type $MEDIA;"
wait_http "http://127.0.0.1:$NGINX/manifest"

rate() { # url -> req/s (non-2xx answers make it fail)
  local r
  r=$(wrk_run "$CONNS" "$SECS" "$1")
  [ "$(cut -d' ' -f4 <<<"$r")" = 0 ] || { echo "errors from $1: $r" >&2; exit 1; }
  awk '{printf "%.0f", $1/$3}' <<<"$r"
}
row() { printf '%-34s %12s %12s %14s\n' "$@"; }

nginx_get=$(rate "http://127.0.0.1:$NGINX/manifest")
azure_env=()
if [ -n "$AZ_ON" ]; then
  AZURITE=$AZ_ON start_azurite
  azure_env=("${AZURE_ENV[@]}")
fi

start_jar() { # jar index [extra env...] -> sets CACHE, CPID (the first jar's run recorded with JFR=)
  local jar=$1 n=$2
  shift 2
  if [ "$n" = 0 ] && [ -n "${JFR:-}" ]; then
    JAVA_OPTS="-XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true" CACHE_JAR=$jar start_cache "$work/cache$n" "$@"
  else
    CACHE_JAR=$jar start_cache "$work/cache$n" "$@"
  fi
}

results=()
i=0
for jar in "${JARS[@]}"; do
  start_jar "$jar" $i
  base="http://127.0.0.1:$CACHE/v2/library/bench/manifests"
  got=$(curl -fs -H "$ACCEPT" "$base/latest" | sha256sum | cut -d' ' -f1)
  [ "sha256:$got" = "$mdigest" ] || { echo "$jar served other bytes for the tag" >&2; exit 1; }
  # JIT warm-up of both paths before measuring (all within the default 60 s tag TTL).
  wrk_run "$CONNS" 4 "$base/latest" > /dev/null
  wrk_run "$CONNS" 2 "$base/$mdigest" > /dev/null
  tag_get=$(rate "$base/latest")
  dig_get=$(rate "$base/$mdigest")
  stop "$CPID"
  az_get=-
  if [ ${#azure_env[@]} -gt 0 ]; then
    start_jar "$jar" "az$i" "${azure_env[@]}" DOCKER_CACHE_AZURE_CONTAINER_NAME="bench$i"
    curl -fs -o /dev/null -H "$ACCEPT" "http://127.0.0.1:$CACHE/v2/library/bench/manifests/latest"
    wrk_run "$CONNS" 2 "http://127.0.0.1:$CACHE/v2/library/bench/manifests/latest" > /dev/null
    az_get=$(rate "http://127.0.0.1:$CACHE/v2/library/bench/manifests/latest")
    stop "$CPID"
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
