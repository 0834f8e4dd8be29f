#!/usr/bin/env bash
# Matrix row A2, with its pass criteria: htpasswd (bcrypt) auth under timing probes and under a
# flood of wrong passwords, against the packaged cache.
#   - timing: SAMPLES GETs of /v2/ with an unknown user and as many with a known user and a wrong
#     password, interleaved, one at a time: their medians differ by < 10 % (the unknown user is
#     checked against a dummy hash of the same cost, so the time tells nothing);
#   - flood: 200 connections of wrong passwords, each one new (bench/bad-passwords.lua: no check
#     can be coalesced or remembered), each connection PACE ms (default 20) between requests, while 8 connections of a valid user GET a warm manifest:
#     their p99 stays within 2x of the same load without the flood, no error, and the flood gets
#     only 401 or 429 (bcrypt runs on a bounded pool; what waits beyond a bound is told to retry).
# Needs: bash scripts/install-test-prereqs.sh and ./mvnw -q -DskipTests -pl cache-service -am package.
# Usage: [JAR=...] [SAMPLES=200] [SECS=10] [PACE=20] bench/auth.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need docker-registry wrk curl htpasswd openssl
need_jar
SAMPLES=${SAMPLES:-200}; SECS=${SECS:-10}
export JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
bench_init auth
echo "docker-cache auth bench: ${SAMPLES} timing samples each, ${SECS}s per load; JAR=$JAR"

start_upstream
printf '{}' > "$work/config"
cfg=$(push_blob "$work/config")
layer=$(random_blob 1K "$work/layer"); rm "$work/layer"
manifest_of "$cfg" "$layer" 1024 > "$work/m"; push_manifest "$work/m" 1
htpasswd -B -C 10 -b -c "$work/htpasswd" alice s3cret 2>/dev/null
start_cache "$work/cache" DOCKER_CACHE_HTPASSWD_FILE="$work/htpasswd"
C=http://127.0.0.1:$CACHE
curl -fs -o /dev/null -u alice:s3cret -H "$ACCEPT" "$C/v2/library/bench/manifests/1"

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
: > "$work/unknown"; : > "$work/wrong"
for i in $(seq 1 "$SAMPLES"); do
  curl -s -o /dev/null -w '%{time_total}\n' -u "nobody$i:x$i" "$C/v2/" >> "$work/unknown"
  curl -s -o /dev/null -w '%{time_total}\n' -u "alice:x$i" "$C/v2/" >> "$work/wrong"
done
unknown=$(median < "$work/unknown"); wrong=$(median < "$work/wrong")

good() { # seconds -> "p99-ms errors" of 8 connections of a valid user GETting the warm manifest
  wrk -t1 -c8 -d"$1s" --latency -H "$ACCEPT" -H "Authorization: Basic $(printf alice:s3cret | base64)" \
    "$C/v2/library/bench/manifests/1" | awk '
      /^ +99%/ {v=$2; if (v ~ /us$/) p=v/1000; else if (v ~ /ms$/) p=v+0; else if (v ~ /s$/) p=v*1000}
      /Non-2xx/ {e+=$NF} /Socket errors/ {gsub(/,/, ""); e+=$4+$6+$8+$10}
      END {printf "%.2f %d", p, e}'
}
good 3 > /dev/null
read -r base_p99 base_err <<<"$(good "$SECS")"
wrk -t2 -c200 -d"$((SECS + 2))s" -s "$BENCH_DIR/bad-passwords.lua" "$C/v2/" -- alice "${PACE:-20}" > "$work/flood" &
flood=$!
sleep 1
read -r flood_p99 flood_err <<<"$(good "$SECS")"
wait "$flood"
read -r _ bad_n bad_401 bad_429 bad_other <<<"$(grep '^BAD ' "$work/flood")"
verified=$(curl -fs "http://127.0.0.1:$MGMT/q/metrics" | awk '/^docker_cache_auth_bcrypt_verifications_total/ {print $2}')

failed=0
check() { # description value criterion(awk expression over v)
  if awk -v v="$2" "BEGIN{exit !($3)}"; then echo "| $1 | $2 | $3 | pass |"; else echo "| $1 | $2 | $3 | **FAIL** |"; failed=1; fi
}
echo
echo "$(date -u +%F), $(nproc) cores, $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
echo "flood: ${bad_n} requests: ${bad_401} x 401, ${bad_429} x 429, ${bad_other} other; bcrypt checks run in all: ${verified}"
echo
echo "| measure | value | criterion | result |"
echo "|---|---|---|---|"
check "median /v2/, unknown user ${unknown} s vs known user, wrong password ${wrong} s (relative difference)" \
  "$(awk -v a="$unknown" -v b="$wrong" 'BEGIN{d=a-b; if (d<0) d=-d; printf "%.3f", d/(a>b?a:b)}')" "v < 0.10"
check "valid user's warm manifest p99, flood ${flood_p99} ms vs none ${base_p99} ms (ratio)" \
  "$(awk -v a="$flood_p99" -v b="$base_p99" 'BEGIN{printf "%.2f", a/b}')" "v <= 2"
check "valid user's errors, without and with the flood" "$((base_err + flood_err))" "v == 0"
check "flood answers other than 401 or 429" "${bad_other:-missing}" "v == 0"
exit "$failed"
