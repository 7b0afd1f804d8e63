#!/usr/bin/env bash
# Starts a fleet on this machine, as the fleet test does
# (internal/testing/e2e/fleet_test.go): a private PostgreSQL (initdb into
# $FLEET_DIR/pg, run as the postgres user when root), SeaweedFS's S3 server
# (weed, scripts/seaweedfs.sh builds it) with a bucket, one API node and two
# worker nodes of bin/upscaled. Ctrl-C (or SIGTERM) stops everything; the
# workers drain first. Logs and data stay in $FLEET_DIR. The API node opens
# no engine: batch pages and synchronous POST /v1/upscale pages run on the
# workers (UPSCALED_ENGINE matters to them only).
#
#   scripts/fleet.sh                       API on :8080, workers on :8081 and :8082
#   FLEET_PORT=9000 FLEET_WORKERS=3 scripts/fleet.sh
#   UPSCALED_ENGINE=cpu scripts/fleet.sh   any UPSCALED_* variable reaches every node
#
# Needs: PostgreSQL's initdb/postgres (apt-get install postgresql), weed,
# curl, bin/upscaled (make build) and the models (make models).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${FLEET_DIR:-$PWD/fleet}
port=${FLEET_PORT:-8080}
workers=${FLEET_WORKERS:-2}
pg_port=${FLEET_PG_PORT:-$((port + 100))}
s3_port=${FLEET_S3_PORT:-$((port + 200))}
bin=${UPSCALED_BIN:-$PWD/bin/upscaled}
key=fleet secret=fleet-secret bucket=upscaled

pgbin=${UPSCALED_TEST_PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
weed=${UPSCALED_TEST_WEED:-$(command -v weed || echo "$(go env GOPATH 2>/dev/null)/bin/weed")}
[[ -x "$pgbin/initdb" ]] || { echo "fleet.sh: PostgreSQL not found: apt-get install postgresql" >&2; exit 1; }
[[ -x "$weed" ]] || { echo "fleet.sh: weed not found: scripts/seaweedfs.sh builds it" >&2; exit 1; }
[[ -x "$bin" ]] || { echo "fleet.sh: $bin not found: make build" >&2; exit 1; }

mkdir -p "$dir"
pids=()
stop() {
  trap - INT TERM EXIT
  echo "fleet.sh: stopping" >&2
  # nodes first (workers drain, UPSCALED_DRAIN_TIMEOUT), then the stores
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || continue
    # nodes stop within UPSCALED_DRAIN_TIMEOUT / _SHUTDOWN_GRACE; weed may linger
    for _ in $(seq 400); do kill -0 "${pids[i]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT

# PostgreSQL refuses to run as root: as root it runs as the postgres user
as=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || { echo "fleet.sh: no postgres user (apt-get install postgresql creates it)" >&2; exit 1; }
  as=(runuser -u postgres --)
  mkdir -p "$dir/pg"; chown postgres: "$dir/pg"
fi
if [[ ! -f "$dir/pg/data/PG_VERSION" ]]; then
  "${as[@]}" "$pgbin/initdb" -D "$dir/pg/data" -U upscaled --auth=trust -E UTF8 --locale=C >"$dir/pg/initdb.log"
fi
"${as[@]}" "$pgbin/postgres" -D "$dir/pg/data" -p "$pg_port" -k "$dir/pg" -c listen_addresses=127.0.0.1 \
  -c shared_preload_libraries=pg_stat_statements >"$dir/postgres.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break; sleep 0.2; done
"$pgbin/psql" -q -h 127.0.0.1 -p "$pg_port" -U upscaled -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'upscaled'" | grep -q 1 ||
  "$pgbin/psql" -q -h 127.0.0.1 -p "$pg_port" -U upscaled -d postgres -c "CREATE DATABASE upscaled"

mkdir -p "$dir/s3"
printf '{"identities":[{"name":"fleet","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","Write","List","Tagging"]}]}' \
  "$key" "$secret" >"$dir/s3.json"
"$weed" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/s3" -master.port=$((s3_port + 1)) -volume.port=$((s3_port + 2)) \
  -filer -filer.port=$((s3_port + 3)) -s3 -s3.port="$s3_port" -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false -s3.config="$dir/s3.json" >"$dir/weed.log" 2>&1 &
pids+=($!)
s3=http://127.0.0.1:$s3_port
for _ in $(seq 300); do
  curl -fsS -o /dev/null -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$key:$secret" "$s3/$bucket" 2>/dev/null && break
  curl -fsS -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$key:$secret" "$s3/$bucket" 2>/dev/null && break
  sleep 0.3
done

export UPSCALED_DATABASE_URL="postgres://upscaled@127.0.0.1:$pg_port/upscaled?sslmode=disable"
export UPSCALED_BLOB_URL="s3://$bucket/fleet" UPSCALED_S3_ENDPOINT="$s3"
export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=us-east-1
export UPSCALED_LOG_FORMAT=${UPSCALED_LOG_FORMAT:-text}
node() { # role port name
  UPSCALED_ROLE=$1 UPSCALED_ADDR=127.0.0.1:$2 UPSCALED_DATA_DIR="$dir/$3" "$bin" serve >"$dir/$3.log" 2>&1 &
  pids+=($!)
}
node api "$port" api
for ((w = 1; w <= workers; w++)); do node worker $((port + w)) "worker$w"; done
for p in $(seq "$port" $((port + workers))); do
  for _ in $(seq 600); do curl -fs -o /dev/null "http://127.0.0.1:$p/readyz" && break; sleep 0.2; done
done
echo "fleet.sh: API on http://127.0.0.1:$port, $workers workers on :$((port + 1))…:$((port + workers)) (probes and /metrics only)," \
  "PostgreSQL on :$pg_port, S3 on $s3 (bucket $bucket); logs in $dir; Ctrl-C stops" >&2
wait -n "${pids[@]}" || true
echo "fleet.sh: a process ended; see the logs in $dir" >&2
