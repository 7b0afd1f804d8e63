#!/usr/bin/env bash
# Runs on the GPU machine over what scripts/gpu-prepare.sh put in .gpu/
# (carry .gpu; run from the repository root). Each step prints its results
# and writes them, with any output images, under $OUT (default .gpu/out).
#   scripts/gpu-measure.sh STEP...
# Steps:
#   devices      nvidia-smi and `upscaled devices`
#   conformance  the Vulkan conformance suite (engines/vulkan tests) on the card
#   pages        both 1000×1400 test pages, whole page and tile 200 (images to $OUT)
#   rss          peak resident memory of one 2550×3263 page to JPEG and PNG, and of the reference tool
#   bench        throughput against the reference tool: Real-CUGAN JPEG/PNG/WebP, Real-ESRGAN JPEG
#   mix          panel p99 latency under 16 streams of pages
#   load         /healthz latency under 16 uploads of the full 1000×1400 page (Go executor, all cores)
#   multi        every GPU against one on real 2550×3263 pages, JPEG and WebP (on a machine with several)
#   real         real-size 2550×3263 pages (.gpu/real): Real-CUGAN and Real-ESRGAN → JPEG at 4 streams
#                against the reference tool, passes in flight 2/4/8, the 1000×1400 pages beside them,
#                and the PyTorch fp16 / channels-last forward of the same models (.gpu/tools)
#   (the engine table, with the reference tool and PyTorch: scripts/gpu-engine.sh)
#   profile      GPU time per kernel on real pages, one stream, both models
#   codecs       a real page vs PyTorch fp32 (≥ 60 dB), codec rates per core, peak RSS per 2x model and
#                format (CLI and server), one page over HTTP per format
#   http         a server (result cache off: every request computes): one real page through POST /v1/upscale
#                (Server-Timing split), a job of 16 real pages twice
# What each call carries (the limit is 64 MiB with the tracked tree):
#   1. devices conformance pages: .gpu/debs .gpu/bin/upscaled .gpu/bin/vulkan.test .gpu/models .gpu/models-extra .gpu/pages
#   2. rss bench mix:             .gpu/debs .gpu/bin/upscaled .gpu/models .gpu/ref .gpu/pages
#   3. load multi (nvidia-h200-x2): .gpu/debs .gpu/bin/upscaled .gpu/bin/cmd.test .gpu/models .gpu/pages .gpu/real
set -uo pipefail

out=${OUT:-.gpu/out}
mkdir -p "$out"
if [[ -z ${GPU_MEASURE_LOCAL:-} ]]; then # GPU_MEASURE_LOCAL=1: a smoke test on the development machine
  for f in .gpu/debs/*.deb; do dpkg -x "$f" / >/dev/null; done
  ldconfig
fi
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
export UPSCALED_MODELS_DIR=$PWD/.gpu/models
chmod +x .gpu/bin/* .gpu/ref/*/*-ncnn-vulkan
up=.gpu/bin/upscaled
pages=${PAGES:-.gpu/pages}

# rss prints the peak resident memory and wall time of a command.
rss() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed \(wall|Exit status" | sed 's/^\s*/    /'
}

bench() {
  local model=$1 format=$2 ref=$3
  echo "-- bench $model $format (16 pages, 4 streams)"
  timeout 280 "$up" bench --engine vulkan --models-dir .gpu/models --dir "$pages" --match 'page-*' --pages 16 \
    --streams 4 --model "$model" --format "$format" --compare-reference ".gpu/ref/$ref" 2>&1 | tail -12
}

step() {
  case $1 in
  devices)
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    "$up" devices
    ;;
  conformance)
    # the suite runs the models carried: .gpu/models and .gpu/models-extra in one folder
    all=/tmp/gpu-models && rm -rf $all && mkdir -p $all && cp -r .gpu/models/. .gpu/models-extra/. $all/
    ids=realcugan-up2x-conservative,realesrgan-animevideov3-x2
    [[ -d .gpu/models-extra/real-cugan ]] && ids+=,realcugan-up3x-conservative,realcugan-up4x-no-denoise,realesrgan-animevideov3-x4,realesrgan-x4plus-anime
    (cd engines/vulkan && UPSCALED_MODELS_DIR=$all UPSCALED_TEST_MODELS=$ids timeout 540 ../../.gpu/bin/vulkan.test -test.v -test.timeout 9m 2>&1) |
      grep -E "^\s*--- |^(PASS|FAIL|ok)|dB|cooperative-matrix kernel" | tail -150
    ;;
  pages)
    for p in "$pages"/page-*; do
      n=$(basename "${p%.*}")
      ext=png
      [[ $p == *.jpg ]] && ext=jpg
      for tile in 0 200; do
        echo "-- $n tile $tile"
        rss "$up" upscale --engine vulkan --models-dir .gpu/models --tile "$tile" "$p" "$out/$n-tile$tile.$ext"
      done
    done
    ;;
  rss)
    big=$pages/big-color-2550x3263.jpg
    for f in jpg png; do
      echo "-- upscaled, 2550×3263 → $f"
      rss "$up" upscale --engine vulkan --models-dir .gpu/models "$big" "$out/big.$f"
    done
    rm -f "$out"/big.*
    mkdir -p /tmp/ref-in /tmp/ref-out && cp "$big" /tmp/ref-in/
    for f in jpg png; do
      echo "-- reference realcugan-ncnn-vulkan, 2550×3263 → $f"
      rss .gpu/ref/realcugan/realcugan-ncnn-vulkan -i /tmp/ref-in -o /tmp/ref-out -s 2 -n -1 -m .gpu/ref/realcugan/models-se -f "$f"
    done
    ;;
  bench)
    bench realcugan-up2x-conservative jpeg realcugan
    bench realcugan-up2x-conservative png realcugan
    bench realcugan-up2x-conservative webp realcugan
    bench realesrgan-animevideov3-x2 jpeg realesrgan
    ;;
  mix)
    timeout 280 "$up" bench --engine vulkan --models-dir .gpu/models --dir "$pages" --mix --streams 16 2>&1 | tail -15
    ;;
  load)
    (cd cmd/upscaled && UPSCALED_TEST_BIN=$PWD/../../$up UPSCALED_LOAD_DOWNSCALE=${LOAD_DOWNSCALE:-1} timeout 540 ../../.gpu/bin/cmd.test \
      -test.run TestLoadUnderMemoryBudget -test.v -test.timeout 9m 2>&1) | grep -vE '^\s+\{' | tail -20
    ;;
  multi)
    # real 2550×3263 pages, JPEG and WebP, one card against all (4 streams per card)
    n=$(nvidia-smi -L | wc -l)
    for format in jpeg webp; do
      for devs in 0 all; do
        streams=4
        [[ $devs == all ]] && streams=$((4 * n))
        echo "-- $format, devices $devs, $streams streams"
        timeout 200 "$up" bench --engine vulkan --devices "$devs" --models-dir .gpu/models --dir .gpu/real --match 'real-*' \
          --pages $((8 * n)) --streams "$streams" --inflight 4 --model realcugan-up2x-conservative --format "$format" 2>&1 |
          grep -E "engine|throughput|latency|busy|host CPU|stages"
      done
    done
    ;;
  real)
    real=(--dir .gpu/real --match 'real-*' --pages 16 --format jpeg)
    for args in "realcugan-up2x-conservative realcugan --inflight 4" "realesrgan-animevideov3-x2 realesrgan --inflight 4"; do
      set -- $args
      echo "-- $1, 2550×3263, 4 streams, $3 $4, against the reference"
      timeout 280 "$up" bench --engine vulkan --models-dir .gpu/models "${real[@]}" --streams 4 --model "$1" "$3" "$4" --compare-reference ".gpu/ref/$2" 2>&1 | tail -16
    done
    for fl in "4 2" "4 8" "8 8"; do
      set -- $fl
      echo "-- Real-CUGAN, 2550×3263, $1 streams, --inflight $2"
      timeout 120 "$up" bench --engine vulkan --models-dir .gpu/models "${real[@]}" --streams "$1" --inflight "$2" \
        --model realcugan-up2x-conservative 2>&1 | grep -E "throughput|latency|busy|arithmetic|stages|CPU|device memory"
    done
    echo "-- Real-CUGAN, 1000×1400, 4 streams"
    timeout 120 "$up" bench --engine vulkan --models-dir .gpu/models --dir "$pages" --match 'page-*' --pages 16 --streams 4 --inflight 4 \
      --model realcugan-up2x-conservative --format jpeg 2>&1 | grep -E "throughput|latency|busy|arithmetic|stages"
    m=.gpu/models
    for mode in fp16 fp16cl; do
      timeout 60 python3 .gpu/tools/torch_ncnn.py bench $m/real-cugan/up2x-conservative.param $m/real-cugan/up2x-conservative.bin 2 18 2550 3263 8 $mode
      timeout 60 python3 .gpu/tools/torch_ncnn.py bench $m/real-esrgan/realesr-animevideov3-x2.param $m/real-esrgan/realesr-animevideov3-x2.bin 2 0 2550 3263 8 $mode
    done
    ;;
  profile)
    for model in realcugan-up2x-conservative realesrgan-animevideov3-x2; do
      UPSCALED_VK_PROFILE=1 timeout 120 "$up" bench --engine vulkan --models-dir .gpu/models --dir .gpu/real --match 'real-*' \
        --pages 4 --streams 1 --format jpeg --model $model 2>&1 | head -60
    done
    ;;
  codecs)
    # Fidelity of a real 4:2:0 page upscaled on the GPU against PyTorch fp32 on
    # the libjpeg (PIL) decode of the same file; per-core codec rates on this
    # host; peak RSS of one page per 2x model and format through the CLI and a
    # server; one page over HTTP per format.
    big=.gpu/real/real-00-2550x3263.jpg
    m=.gpu/models
    if [[ -z ${CODECS_QUICK:-} ]]; then # CODECS_QUICK=1: memory and HTTP only
    echo "-- fidelity: our GPU output vs PyTorch fp32 of the libjpeg-decoded page (TF32 convolutions on, PyTorch's default, and off)"
    "$up" upscale --engine vulkan --model realcugan-up2x-conservative "$big" /tmp/cugan.png
    "$up" upscale --engine vulkan --model realesrgan-animevideov3-x2 "$big" /tmp/esrgan.png
    for tf32 in 1 0; do
      echo "   NVIDIA_TF32_OVERRIDE=$tf32"
      NVIDIA_TF32_OVERRIDE=$tf32 timeout 120 python3 .gpu/tools/torch_ncnn.py check $m/real-cugan/up2x-conservative.param $m/real-cugan/up2x-conservative.bin 2 18 "$big" /tmp/cugan.png
      NVIDIA_TF32_OVERRIDE=$tf32 timeout 120 python3 .gpu/tools/torch_ncnn.py check $m/real-esrgan/realesr-animevideov3-x2.param $m/real-esrgan/realesr-animevideov3-x2.bin 2 0 "$big" /tmp/esrgan.png
    done
    echo "-- codecs per core (2000×2800 page)"
    (cd imaging && timeout 200 ../.gpu/bin/imaging.test -test.run '^$' -test.bench Codecs -test.cpu 1 -test.benchtime 5x 2>&1 | grep -E "^Benchmark")
    echo "-- codecs per core on the real page: decode of the 2550×3263 JPEG, the defaults' encodes of Real-CUGAN's 5100×6526 output"
    for img in "$big" /tmp/cugan.png; do
      abs=$(realpath "$img")
      (cd imaging && UPSCALED_BENCH_IMAGE=$abs timeout 200 ../.gpu/bin/imaging.test -test.run '^$' -test.cpu 1 -test.benchtime 5x \
        -test.bench 'Codecs/(decode|encode-jpeg-q90-4:2:0|encode-png-effort1|encode-webp-q90-effort0)' 2>&1 | grep -E "^Benchmark")
    done
    fi
    cp -r .gpu/models-extra/real-cugan/up2x-* $m/real-cugan/ 2>/dev/null
    models=realcugan-up2x-conservative,realcugan-up2x-no-denoise,realesrgan-animevideov3-x2
    echo "-- CLI baseline: upscaled devices (the Vulkan driver loaded, no page)"
    rss "$up" devices
    for model in ${models//,/ }; do
      for f in jpg png webp; do
        echo "-- CLI peak RSS $model → $f"
        rss "$up" upscale --engine vulkan --model "$model" "$big" "/tmp/big.$f"
      done
    done
    serve() {
      UPSCALED_CACHE=0 UPSCALED_DATA_DIR=$(mktemp -d) UPSCALED_ENGINE=vulkan UPSCALED_ADDR=127.0.0.1:8080 "$up" serve >>"$out/serve-codecs.log" 2>&1 &
      srv=$!
      for _ in $(seq 1 100); do python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8080/readyz")' 2>/dev/null && break; sleep 0.2; done
    }
    echo "-- server peak RSS, a fresh server per model and format, one page each"
    for model in ${models//,/ }; do
      for f in jpeg png webp; do
        serve
        python3 scripts/gpu-http.py rss http://127.0.0.1:8080 "$big" $srv $model $f
        kill $srv; wait $srv
      done
    done
    serve
    for f in jpeg png webp; do python3 scripts/gpu-http.py latency http://127.0.0.1:8080 "$big" ${LATENCY_N:-5} $f; done
    kill $srv; wait $srv
    ;;
  http)
    data=$(mktemp -d)
    UPSCALED_CACHE=0 UPSCALED_DATA_DIR=$data UPSCALED_ENGINE=vulkan UPSCALED_ADDR=127.0.0.1:8080 "$up" serve >"$out/serve.log" 2>&1 &
    srv=$!
    for _ in $(seq 1 100); do python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8080/readyz")' 2>/dev/null && break; sleep 0.3; done
    python3 scripts/gpu-http.py latency http://127.0.0.1:8080 .gpu/real/real-00-2550x3263.jpg 4
    python3 scripts/gpu-http.py job http://127.0.0.1:8080 .gpu/real 16 # the first job after start makes the device memory for 4 pages at once
    python3 scripts/gpu-http.py job http://127.0.0.1:8080 .gpu/real 16
    kill $srv; wait $srv
    ;;
  *)
    echo "gpu-measure: unknown step $1" >&2
    return 2
    ;;
  esac
}

for s in "$@"; do
  echo "=== $s"
  step "$s" 2>&1 | tee "$out/$s.txt"
done
