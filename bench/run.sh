#!/usr/bin/env bash
# Benchmarks the packaged cache-service against baselines measured in the same run:
#   - cold and warm GET of a large blob through the cache (vs. the upstream registry directly),
#   - warm blob throughput with 4 parallel clients (vs. nginx serving the very same file),
#   - warm tag (manifest) GETs per second with wrk (vs. the upstream registry directly).
# Everything binds to 127.0.0.1. Needs: bash scripts/install-test-prereqs.sh, and
# ./mvnw -q -DskipTests -pl cache-service -am package.
# Usage: [JAR=path/quarkus-run.jar] bench/run.sh [blob-MiB (default 512)] [wrk-seconds (default 10)]
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-512}
SECS=${2:-10}
JAR=${JAR:-cache-service/target/quarkus-app/quarkus-run.jar}  # JAR=... benchmarks another build
[ -f "$JAR" ] || { echo "build first: ./mvnw -q -DskipTests -pl cache-service -am package" >&2; exit 2; }
for t in docker-registry nginx wrk curl sha256sum skopeo; do
  command -v "$t" >/dev/null || { echo "missing $t: bash scripts/install-test-prereqs.sh" >&2; exit 2; }
done

work=$(mktemp -d /tmp/docker-cache-bench.XXXXXX)
chmod 755 "$work"  # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

UP=$(free_port); CACHE=$(free_port); MGMT=$(free_port); NGINX=$(free_port)
cat > "$work/up.yml" <<YML
version: 0.1
storage: {filesystem: {rootdirectory: $work/upstream}}
http: {addr: 127.0.0.1:$UP}
log: {level: error, accesslog: {disabled: true}}
YML
docker-registry serve "$work/up.yml" > "$work/up.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$UP/v2/"

echo "generating a $MIB MiB blob and a one-layer image in the upstream..."
push_blob() { # file -> digest
  local d loc
  d=sha256:$(sha256sum "$1" | cut -d' ' -f1)
  loc=$(curl -fsi -X POST "http://127.0.0.1:$UP/v2/library/bench/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  curl -fs -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$1" "$loc&digest=$d" -o /dev/null
  echo "$d"
}
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$work/blob"
digest=$(push_blob "$work/blob")
# A second blob of the same size warms the JVM up on the miss path before the cold measurement.
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$work/warmup"
warmup=$(push_blob "$work/warmup")
rm "$work/warmup"
printf '{}' > "$work/config"
cdigest=sha256:$(sha256sum "$work/config" | cut -d' ' -f1)
loc=$(curl -fsi -X POST "http://127.0.0.1:$UP/v2/library/bench/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
curl -fs -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$work/config" "$loc&digest=$cdigest" -o /dev/null
manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' "$cdigest" "$digest" $((MIB * 1024 * 1024)))
curl -fs -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' -d "$manifest" "http://127.0.0.1:$UP/v2/library/bench/manifests/latest" -o /dev/null

# A second image, pulled whole by skopeo: cold (through the cache), warm, and from the upstream.
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$work/layer2"
ldigest=$(push_blob "$work/layer2")
rm "$work/layer2"
manifest2=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' "$cdigest" "$ldigest" $((MIB * 1024 * 1024)))
curl -fs -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' -d "$manifest2" "http://127.0.0.1:$UP/v2/library/bench/manifests/pull" -o /dev/null

DOCKER_CACHE_CONFIG= DOCKER_CACHE_REMOTE_URL=http://127.0.0.1:$UP DOCKER_CACHE_FS_MOUNT_PATH=$work/cache \
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$CACHE QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$MGMT \
  java -jar "$JAR" > "$work/cache.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$MGMT/q/health/ready"

time_get() { curl -fs -o /dev/null -w '%{time_total} %{speed_download}' "$1"; }
row() { printf '%-44s %14s %14s\n' "$1" "$2" "$3"; }
mbps() { awk -v b="$1" 'BEGIN{printf "%.0f MB/s", b/1e6}'; }

curl -fs -o /dev/null "http://127.0.0.1:$CACHE/v2/library/bench/blobs/$warmup"
pull() { # registry-host:port -> seconds for skopeo to copy library/bench:pull into a fresh dir
  rm -rf "$work/pulled"
  local start end
  start=$(date +%s.%N)
  skopeo copy -q --src-tls-verify=false "docker://$1/library/bench:pull" "dir:$work/pulled" >/dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN{printf "%.3fs", e-s}'
}
pull_up=$(pull "127.0.0.1:$UP")
pull_cold=$(pull "127.0.0.1:$CACHE")
pull_warm=$(pull "127.0.0.1:$CACHE")
path="/v2/library/bench/blobs/$digest"
read -r up_t up_s <<<"$(time_get "http://127.0.0.1:$UP$path")"
read -r cold_t cold_s <<<"$(time_get "http://127.0.0.1:$CACHE$path")"
read -r warm_t warm_s <<<"$(time_get "http://127.0.0.1:$CACHE$path")"

mkdir -p "$work/www"
ln "$work/cache/docker/registry/v2/blobs/sha256/${digest:7:2}/${digest:7}/data" "$work/www/blob"
cat > "$work/nginx.conf" <<NGX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:$NGINX; root $work/www; }
}
NGX
nginx -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!)
wait_http "http://127.0.0.1:$NGINX/blob"
read -r nginx_t nginx_s <<<"$(time_get "http://127.0.0.1:$NGINX/blob")"

parallel_rate() { # 4 clients x 3 GETs each; prints MB/s
  local url=$1 start end
  start=$(date +%s.%N)
  for _ in 1 2 3 4; do (for _ in 1 2 3; do curl -fs -o /dev/null "$url"; done) & done; wait
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v b=$((12 * MIB * 1024 * 1024)) 'BEGIN{printf "%.0f MB/s", b/(e-s)/1e6}'
}
par_cache=$(parallel_rate "http://127.0.0.1:$CACHE$path")
par_nginx=$(parallel_rate "http://127.0.0.1:$NGINX/blob")

tags() { wrk -t2 -c16 -d"${SECS}s" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$1" | awk '/Requests\/sec/{printf "%.0f req/s", $2}'; }
tag_cache=$(tags "http://127.0.0.1:$CACHE/v2/library/bench/manifests/latest")
tag_up=$(tags "http://127.0.0.1:$UP/v2/library/bench/manifests/latest")

echo
echo "docker-cache benchmark: $MIB MiB blob, $(nproc) cores, $(date -u +%FT%TZ)"
row "measure" "docker-cache" "baseline"
row "image pull (skopeo), cold" "$pull_cold" "$pull_up upstream"
row "image pull (skopeo), warm" "$pull_warm" "$pull_up upstream"
row "blob GET, cold (through to upstream)" "${cold_t}s" "${up_t}s upstream"
row "blob GET, warm, 1 client" "${warm_t}s" "${nginx_t}s nginx"
row "blob GET, warm, 1 client, rate" "$(mbps "$warm_s")" "$(mbps "$nginx_s") nginx"
row "blob GET, warm, 4 clients x 3, rate" "$par_cache" "$par_nginx nginx"
row "tag GET (manifest), wrk ${SECS}s c16" "$tag_cache" "$tag_up upstream"
