#!/usr/bin/env bash
# Installs the Debian packages upscaled needs to build, test and run, when
# they are missing. Idempotent. As root it installs; otherwise it prints the
# apt-get command and exits non-zero.
#   scripts/deps.sh            build + run (Vulkan loader, Mesa CPU device, shader compilers, npm,
#                              libjpeg-turbo and libwebp headers for the image codecs)
#   scripts/deps.sh --test     also what the tests need (Chromium for the browser test,
#                              djpeg/cjpeg to compare the JPEG codec with libjpeg-turbo's tools,
#                              SeaweedFS's weed as the real S3 server: scripts/seaweedfs.sh,
#                              PostgreSQL for the fleet's job database: internal/testing/pgserver)
set -euo pipefail

pkgs=(gcc make git ca-certificates curl libvulkan-dev mesa-vulkan-drivers glslang-tools npm
      libjpeg62-turbo-dev libwebp-dev)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(chromium vulkan-tools vulkan-validationlayers libjpeg-turbo-progs postgresql)
fi

missing=()
for p in "${pkgs[@]}"; do
  # node/npm may come from elsewhere (e.g. a preinstalled Node.js): accept the command
  if [[ "$p" == npm ]] && command -v npm >/dev/null 2>&1; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "upscaled needs these Debian packages: ${missing[*]}" >&2
    echo "run as root: apt-get update && $cmd" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $cmd
fi
if [[ "${1:-}" == "--test" ]]; then
  bash "$(dirname "$0")/seaweedfs.sh"
fi
