#!/usr/bin/env bash
# Runs the pinned shader compiler: glslang 15 from Debian trixie's
# glslang-tools, which compiles GL_KHR_cooperative_matrix (Debian bookworm's
# glslang 12 does not). It runs on bookworm without being installed, through
# trixie's own dynamic loader and C/C++ libraries extracted from their .debs.
# The packages are fetched once (exact versions, SHA-256 checked) into
# $UPSCALED_TOOLS_DIR (default ~/.cache/upscaled) and reused.
#   scripts/glslang.sh ARGS...     glslang with ARGS (as glslangValidator)
#   scripts/glslang.sh --install   fetch and extract only
# `make shaders` and `make shaders-check` use it, so the committed SPIR-V is
# the output of this exact compiler version.
set -euo pipefail

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# the same files on snapshot.debian.org, once the mirror has moved on
snapshot=https://snapshot.debian.org/archive/debian/20261203T000000Z
# pool path and SHA-256 of each package (trixie, amd64). glslang-tools fixes
# the SPIR-V output; the libraries only have to run it.
debs=(
  "pool/main/g/glslang/glslang-tools_15.1.0+1.4.309.0-1_amd64.deb c3025c4af63244296bc9d466746763c809d3f3f126408fc2c7b07070886a7759"
  "pool/main/g/glibc/libc6_2.41-12+deb13u5_amd64.deb b59b0625cd1a791375d40dab23a4d5d3d0641e3d0a773501becdc3725b7f99cf"
  "pool/main/g/gcc-14/libstdc++6_14.2.0-19_amd64.deb ab1fa05837aa7a92aae748fd07a18a35f7d18bb4a71c4724fe2bbf0e32089de0"
  "pool/main/g/gcc-14/libgcc-s1_14.2.0-19_amd64.deb 3c71917b490d1a17aed43196a2787a256ecf060526cdb20216a74bedc061b150"
)
root=${UPSCALED_TOOLS_DIR:-$HOME/.cache/upscaled}/glslang-15.1.0+1.4.309.0-1
lib=$root/usr/lib/x86_64-linux-gnu

install() {
  [[ -x $root/usr/bin/glslang && -e $root/.complete ]] && return 0
  if [[ $(uname -m) != x86_64 ]]; then
    echo "scripts/glslang.sh: the pinned compiler is x86-64 only" >&2
    exit 1
  fi
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  for d in "${debs[@]}"; do
    local path=${d% *} sum=${d#* } file
    file=$tmp/$(basename "$path")
    local url=$mirror/$path
    if ! curl -fsSL --retry 3 -o "$file" "$url"; then
      url=$snapshot/${path//+/%2B}
      curl -fsSL --retry 3 -o "$file" "$url" || { echo "scripts/glslang.sh: cannot fetch $path" >&2; exit 1; }
    fi
    if ! echo "$sum  $file" | sha256sum -c --quiet -; then
      echo "scripts/glslang.sh: $url does not match its pinned SHA-256" >&2
      exit 1
    fi
  done
  rm -rf "$root" && mkdir -p "$root"
  for f in "$tmp"/*.deb; do dpkg-deb -x "$f" "$root"; done
  touch "$root/.complete"
}

install
[[ ${1:-} == --install ]] && exit 0
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$root/usr/bin/glslang" "$@"
