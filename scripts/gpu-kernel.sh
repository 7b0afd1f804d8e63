#!/usr/bin/env bash
# Tensor-core kernel measurements on the GPU machine: conformance, per-kernel
# benchmarks (1024² tile) and whole-page profiles of the old and new builds
# and of the kernel's variants side by side. Prepare here, in the checkout the device tool sends:
#   .gpukernel/{debs/*.deb (../shared/gpu), models/{real-cugan,real-esrgan}/ (up2x-conservative,
#   up4x-no-denoise, realesr-animevideov3-x2), pages/page-*.jpg (2550x3263),
#   old/ and new/ {vulkan.test (go test -c ./engines/vulkan), upscaled.gz (gzip of bin/upscaled)}}
# ignored by .git/info/exclude, then run `bash scripts/gpu-kernel.sh` with carry .gpukernel
# (the script reads .gpukernel/; logs under $OUT).
# Variants: def = every tensor-core mode, r4 = RPS 4, khr = KHR cooperative
# matrices, 3x3 = the default build (3×3 only), old = the old build.
set -u
K=$PWD/.gpukernel
O=${OUT:-/tmp/out}
mkdir -p $O
for f in $K/debs/*.deb; do dpkg -x $f / >/dev/null; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export UPSCALED_MODELS_DIR=$K/models UPSCALED_VK_VALIDATION=0
for v in old new; do gzip -dc $K/$v/upscaled.gz > /tmp/upscaled-$v; chmod +x /tmp/upscaled-$v $K/$v/vulkan.test; done
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader | tee $O/smi.txt
t0=$(date +%s)
# variants: name:binary:env
A="UPSCALED_VK_COOP_STRIDED=1 UPSCALED_VK_COOP_DECONV4=1"
V_def="new:$A"; V_r4="new:$A UPSCALED_VK_COOP_RPS=4"; V_khr="new:$A UPSCALED_VK_COOP_KHR=1"; V_3x3="new:"; V_old="old:"
# 1. conformance on the tensor-core path first (default; RPS 4 and KHR: models only)
for v in def r4 khr; do
  eval "spec=\$V_$v"; run="TestConformance|TestCoop"; [[ $v != def ]] && run='TestConformance/(models|layers)'
  echo "=== conformance $v (${spec#*:})"
  (cd engines/vulkan && env ${spec#*:} UPSCALED_TEST_MODELS=realcugan-up2x-conservative,realesrgan-animevideov3-x2 \
    timeout 120 $K/new/vulkan.test -test.v -test.run "$run" 2>&1) |
    grep -E "^\s*--- FAIL|^(PASS|FAIL|ok)|dB|cooperative-matrix|panic|rror|WARN|differs" | tail -30
done 2>&1 | tee $O/conformance.txt
echo "conformance $(( $(date +%s) - t0 )) s"
# 2. benchmarks, 1024² tile, per-kernel profile
(cd engines/vulkan
for b in RealCUGAN2x AnimeVideoV3x2 Conv3x3C128 Conv2x2S2 Deconv2x2S2; do
  for v in old def r4 khr 3x3; do
    [[ $b == Conv* || $b == Deconv* ]] && [[ $v == 3x3 ]] && continue
    eval "spec=\$V_$v"
    echo "=== $b $v (${spec#*:})"
    env ${spec#*:} UPSCALED_VK_PROFILE=1 UPSCALED_BENCH_SIDE=1024 UPSCALED_VK_PIPESTATS=1 timeout 60 $K/${spec%%:*}/vulkan.test \
      -test.v -test.run '^$' -test.bench "^Benchmark$b\$" -test.benchtime 10x 2>&1 |
      grep -vE "^vulkan pipeline [a-bd-z]|^\s*$|^(goos|goarch|pkg|cpu):|^=== RUN|pipestats.*(Register Count=(1[0-9]|2[0-9]|3[0-9]);)|coopcheck" | cut -c1-300
  done
done) 2>&1 | tee $O/bench.txt
echo "bench $(( $(date +%s) - t0 )) s"
# 3. whole 2550×3263 pages, one stream, profile
for m in realcugan-up2x-conservative realesrgan-animevideov3-x2; do
  for v in old def r4; do
    eval "spec=\$V_$v"
    echo "=== $m $v (${spec#*:})"
    env ${spec#*:} UPSCALED_VK_PROFILE=1 timeout 90 /tmp/upscaled-${spec%%:*} bench --engine vulkan --models-dir $K/models \
      --dir $K/pages --match 'page-*' --pages 4 --streams 1 --model $m --format jpeg 2>&1 | head -45
  done
done 2>&1 | tee $O/pages.txt
echo "total $(( $(date +%s) - t0 )) s"
