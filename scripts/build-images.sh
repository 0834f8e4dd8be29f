#!/usr/bin/env bash
# Builds the images docker-cache/cache-service and docker-cache/config-distributor, each tagged
# with the project version and `latest`, in the daemon that DOCKER_HOST names (the local one when
# unset), and prints their references, one a line.
#
#   bash scripts/build-images.sh [--no-package] [--debian-base]
#
# --no-package   use the packaged programs as they are (fails when one is missing); by default
#                they are packaged with ./mvnw when missing or older than their sources.
# --debian-base  build on docker-cache/base-jre:17 (made here from Debian's packages) without
#                trying the public JRE image first.
#
# Environment: BASE_IMAGE (a JRE 17 image; wins over everything), DOCKER (the client, default
# `docker`), MVN_ARGS (extra ./mvnw arguments, e.g. -o), DEBIAN_MIRROR (for debootstrap; default
# the Debian mirror apt is configured with), SOURCE_URL (org.opencontainers.image.source; default
# the git remote `origin`).
#
# The base: BASE_IMAGE when set; else the public image the Dockerfiles default to when it is
# present or can be pulled; else docker-cache/base-jre:17, which is built with debootstrap
# (Debian bookworm, minbase, openjdk-17-jre-headless, procps, ca-certificates: about a minute and
# 330 MB) when the daemon does not have it yet, and reused when it does.
set -euo pipefail

PUBLIC_BASE=eclipse-temurin:17-jre   # keep equal to the Dockerfiles' ARG BASE_IMAGE default
LOCAL_BASE=docker-cache/base-jre:17
PROGRAMS=(cache-service config-distributor)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
docker_cli="${DOCKER:-docker}"
package=auto
try_public=yes
for arg in "$@"; do
  case "$arg" in
    --no-package) package=never ;;
    --debian-base) try_public=no ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-images.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

log() { echo "build-images.sh: $*" >&2; }
docker() { "$docker_cli" "$@"; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The project version: the root pom's own <version> (the first one after its artifactId).
version="$(awk '/<artifactId>docker-cache-parent<\/artifactId>/ {found=1; next}
  found && /<version>/ {gsub(/.*<version>|<\/version>.*/, ""); print; exit}' pom.xml)"
[ -n "$version" ] || { log "cannot read the project version from pom.xml"; exit 1; }
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi
source_url="${SOURCE_URL:-$(git remote get-url origin 2>/dev/null || true)}"

# 1. The programs (Quarkus fast-jar layout in <module>/target/quarkus-app).
stale=()
for program in "${PROGRAMS[@]}"; do
  jar="$program/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ]; then
    stale+=("$program")
  elif [ "$package" = auto ] && [ -n "$(find "$program/src" common/src "$program/pom.xml" common/pom.xml pom.xml \
      -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
    stale+=("$program")
  fi
done
if ((${#stale[@]})); then
  if [ "$package" = never ]; then
    log "not packaged: ${stale[*]}; run ./mvnw -B -DskipTests -pl cache-service,config-distributor -am package"
    exit 1
  fi
  log "packaging ${stale[*]}"
  # shellcheck disable=SC2086  # MVN_ARGS is a list of arguments
  ./mvnw -B -q ${MVN_ARGS:-} -DskipTests -pl "$(IFS=,; echo "${stale[*]}")" -am package >&2
fi

# 2. The base image.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

build_debian_base() {
  command -v debootstrap >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin"
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "debootstrap is not installed: run bash scripts/install-test-prereqs.sh (or apt-get install debootstrap)"
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    log "building $LOCAL_BASE needs root (debootstrap); run as root or set BASE_IMAGE to a JRE 17 image"
    exit 1
  fi
  local mirror rootfs
  mirror="$(debian_mirror)"
  rootfs="$(mktemp -d "${TMPDIR:-/tmp}/base-jre-XXXXXX")"
  # shellcheck disable=SC2064  # expand now: the trap must remove this directory
  trap "rm -rf '$rootfs'" EXIT
  log "building $LOCAL_BASE with debootstrap from $mirror (about a minute)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,procps,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; log "debootstrap failed"; exit 1; }
  rm -f "$rootfs.log"
  # What an image does not need at run time: downloaded packages, package lists, documentation.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log \
    "$rootfs"/var/log/apt/*
  tar --numeric-owner -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "Debian bookworm minbase + openjdk-17-jre-headless, procps, ca-certificates (scripts/build-images.sh)" \
    - "$LOCAL_BASE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
}

if [ -n "${BASE_IMAGE:-}" ]; then
  base="$BASE_IMAGE"
elif [ "$try_public" = yes ] && { has_image "$PUBLIC_BASE" || docker pull -q "$PUBLIC_BASE" >/dev/null 2>&1; }; then
  base="$PUBLIC_BASE"
else
  [ "$try_public" = no ] || log "$PUBLIC_BASE cannot be pulled here: using $LOCAL_BASE"
  base="$LOCAL_BASE"
fi
if [ "$base" = "$LOCAL_BASE" ]; then
  if has_image "$LOCAL_BASE"; then
    log "reusing $LOCAL_BASE"
  else
    build_debian_base
  fi
fi

# 3. The images. Each build's context is the program's quarkus-app directory and nothing else.
for program in "${PROGRAMS[@]}"; do
  image="docker-cache/$program"
  log "building $image:$version on $base"
  docker build -q \
    -f "deployment/docker/$program.jvm.Dockerfile" \
    --build-arg "BASE_IMAGE=$base" \
    --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" \
    --build-arg "SOURCE_URL=$source_url" \
    -t "$image:$version" -t "$image:latest" \
    "$program/target/quarkus-app" >/dev/null
  echo "$image:$version"
  echo "$image:latest"
done
