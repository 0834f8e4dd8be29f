#!/usr/bin/env bash
# Installs what the test suite runs for real (DESIGN.md §5) on a Debian machine.
# Idempotent: packages already present are not fetched again.
set -euo pipefail

packages=(
  docker-registry   # the upstream registry (distribution 2.8) and layout-compatibility peer
  docker.io         # a real dockerd pulling through the mirror
  containerd        # ctr images pull --hosts-dir
  skopeo            # copies images in and out of registries
  umoci             # builds OCI image layouts without a daemon
  busybox-static    # a tiny static binary to put into test images
  nginx-light       # baseline for the warm-throughput benchmark
  wrk               # load generator for benchmarks
  apache2-utils     # htpasswd -B writes the bcrypt entries the auth tests use
  openssl           # test certificates for the TLS tests
  curl
  prometheus        # a real Prometheus scraping both programs; promtool checks metrics and rules
  debootstrap       # scripts/build-images.sh makes the JRE base image from Debian's packages (ImagesIT)
  strace            # DistributorCrashIT kills the node agent exactly at a rename (strace -e inject)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# kubectl with its built-in kustomize renders deployment/ (no cluster needed). Any kubectl will
# do; Debian's kubernetes-client (kustomize v2.0.3) only when none is installed.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)

if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Azurite (Azure Blob Storage emulator) from npm, project-local under .tools/azurite. 3.35.0 is the
# last release that runs on Node 20 (Debian's); the storage tests start it on a free port.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
azurite_version=3.35.0
azurite_dir="$repo_root/.tools/azurite"
if ! command -v npm >/dev/null 2>&1; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing: nodejs npm"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
fi
installed="$(node -p "require('$azurite_dir/node_modules/azurite/package.json').version" 2>/dev/null || true)"
if [ "$installed" != "$azurite_version" ] || [ ! -x "$azurite_dir/node_modules/.bin/azurite-blob" ]; then
  echo "installing: azurite@$azurite_version into $azurite_dir"
  mkdir -p "$azurite_dir"
  npm install --prefix "$azurite_dir" --no-audit --no-fund --loglevel=error "azurite@$azurite_version"
fi
