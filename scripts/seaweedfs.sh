#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (Apache-2.0), the real S3-compatible server the
# S3 tests start (internal/testing/s3server), into $(go env GOPATH)/bin when
# it is missing or another version. Its module has replace directives, so
# `go install pkg@version` refuses it: the pinned module is downloaded from
# the Go module proxy and built in place. Takes ~10 minutes on 2 cores the
# first time; later runs find it.
set -euo pipefail

version=v0.0.0-20261109003541-7506e5f91cd6
mod=github.com/seaweedfs/seaweedfs
bin="$(go env GOPATH)/bin/weed"

# the build is stamped in weed.version (a build in the module cache carries
# no module version of its own)
if [[ -x "$bin" && "$(cat "$bin.version" 2>/dev/null)" == "$version" ]]; then
  exit 0
fi
echo "building SeaweedFS weed $version into $bin" >&2
dir=$(go mod download -json "$mod@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[[ -n "$dir" ]] || { echo "seaweedfs.sh: go mod download $mod@$version failed" >&2; exit 1; }
mkdir -p "$(dirname "$bin")"
(cd "$dir" && GOFLAGS=-buildvcs=false go build -trimpath -ldflags "-s -w" -o "$bin.tmp" ./weed)
mv "$bin.tmp" "$bin"
echo "$version" > "$bin.version"
