#!/usr/bin/env bash
# The engine table on the GPU machine, in one command: Real-CUGAN and
# Real-ESRGAN on distinct real 2550×3263 colour pages at 1, 4 and 8 streams
# (timelines under $OUT/*.json.gz) and the 1000×1400 test pages beside them,
# the reference tool and the PyTorch forward of the same models, all rerun
# here. Reads what scripts/gpu-prepare.sh wrote in .gpu/; run from the
# repository root; logs under $OUT.
set -u
out=${OUT:-.gpu/out}
mkdir -p "$out"
for f in .gpu/debs/*.deb; do dpkg -x "$f" / >/dev/null; done
ldconfig
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
chmod +x .gpu/bin/* .gpu/ref/*/*-ncnn-vulkan
up=.gpu/bin/upscaled
C=realcugan-up2x-conservative E=realesrgan-animevideov3-x2
summary="throughput|latency|busy|arithmetic|stages|host CPU|device memory|reference|speed-up|in flight|idled"
bench() { # DIR STREAMS MODEL [args]
  local dir=$1 streams=$2 model=$3
  shift 3
  echo "-- $model, $(basename "$dir"), $streams streams"
  timeout 120 "$up" bench --engine vulkan --models-dir .gpu/models --dir "$dir" --match '*' --pages 16 --format jpeg \
    --streams "$streams" --inflight "$(( streams > 4 ? streams : 4 ))" --model "$model" \
    --trace "$out/$model-$(basename "$dir")-$streams.json" "$@" 2>&1 | grep -E "$summary"
}
{
  echo "=== conformance (every carried model)"
  all=/tmp/gpu-models && rm -rf $all && mkdir -p $all && cp -r .gpu/models/. .gpu/models-extra/. $all/
  (cd engines/vulkan && env UPSCALED_MODELS_DIR=$all \
    UPSCALED_TEST_MODELS=$C,$E,realcugan-up3x-conservative,realcugan-up4x-no-denoise,realesrgan-animevideov3-x4,realesrgan-x4plus-anime \
    timeout 60 ../../.gpu/bin/vulkan.test -test.v -test.run 'TestConformance|TestCoop|TestInstancesReused' 2>&1) |
    grep -E "^\s*--- FAIL|^(PASS|FAIL|ok)|dB|panic" | tail -20
  echo "=== real pages"
  bench .gpu/real 4 $C --compare-reference .gpu/ref/realcugan
  bench .gpu/real 8 $C
  bench .gpu/real 1 $C
  bench .gpu/real 4 $E --compare-reference .gpu/ref/realesrgan
  bench .gpu/real 8 $E
  bench .gpu/real 1 $E
  echo "=== 1000×1400 pages"
  bench .gpu/pages 4 $C --match 'page-*'
  bench .gpu/pages 4 $E --match 'page-*'
  echo "=== PyTorch, same models, 2550×3263"
  m=.gpu/models
  for mode in fp16 fp16cl; do
    timeout 60 python3 .gpu/tools/torch_ncnn.py bench $m/real-cugan/up2x-conservative.param $m/real-cugan/up2x-conservative.bin 2 18 2550 3263 8 $mode
    timeout 60 python3 .gpu/tools/torch_ncnn.py bench $m/real-esrgan/realesr-animevideov3-x2.param $m/real-esrgan/realesr-animevideov3-x2.bin 2 0 2550 3263 8 $mode
  done
} 2>&1 | tee "$out/engine.txt"
gzip -f "$out"/*.json 2>/dev/null
