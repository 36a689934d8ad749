#!/usr/bin/env bash
# Throughput of the reference endpoint next to moto, on this machine, in one run.
#
#   scripts/server/bench.sh            # DURATION=10s per measurement by default
#
# Builds the release binary, starts the reference endpoint (`cargo run --release -p
# remediation-suite -- serve`) and moto (`moto_server`, from a venv under target/venv-moto),
# both on 127.0.0.1, and measures with wrk (scripts/server/wrk_post.lua):
#   * DescribeConfigRules against both (the cheap call both implement);
#   * DescribeRemediationConfigurations and PutRemediationExceptions with 100 keys against the
#     reference endpoint (moto implements neither), after setting up the rule and 100
#     NON_COMPLIANT resources through the control API.
# Prints a table of requests/s and the ratio. Loopback only; bounded runs; everything this
# script started is stopped when it exits.
#
# Knobs (environment): DURATION (10s), REF_CONNECTIONS (32), MOTO_CONNECTIONS (4: moto answers
# every request with `Connection: close` and does best with few connections), WRK_THREADS (1).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DURATION=${DURATION:-10s}
REF_CONNECTIONS=${REF_CONNECTIONS:-32}
MOTO_CONNECTIONS=${MOTO_CONNECTIONS:-4}
WRK_THREADS=${WRK_THREADS:-1}
LUA="$ROOT/scripts/server/wrk_post.lua"
WORK=$(mktemp -d)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

say() { printf '==> %s\n' "$*" >&2; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() { # URL, seconds
  local deadline=$((SECONDS + $2))
  until curl -sf "$1" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { say "no answer from $1 after $2 s"; exit 1; }
    sleep 0.1
  done
}

# --- tools ------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x "$TARGET/venv-moto/bin/moto_server" ]; then
  say "installing moto into $TARGET/venv-moto"
  python3 -m venv "$TARGET/venv-moto"
  "$TARGET/venv-moto/bin/pip" install --quiet --disable-pip-version-check 'moto[server]'
fi
say "building the release binary"
cargo build --release -q -p remediation-suite --manifest-path "$ROOT/Cargo.toml"

# --- the two endpoints ----------------------------------------------------------------------------
say "starting the reference endpoint"
# `cargo run` replaces itself with the binary (exec), so $! is the endpoint's own pid.
cargo run --release -q -p remediation-suite --manifest-path "$ROOT/Cargo.toml" -- serve --port 0 \
  >"$WORK/ref.url" 2>"$WORK/ref.log" &
REF_PID=$!
PIDS+=("$REF_PID")
# cargo may first wait for the shared target directory's lock.
for _ in $(seq 1800); do
  [ -s "$WORK/ref.url" ] && break
  kill -0 "$REF_PID" 2>/dev/null || break
  sleep 0.1
done
REF=$(head -n1 "$WORK/ref.url")
[ -n "$REF" ] || { say "the reference endpoint did not start:"; cat "$WORK/ref.log" >&2; exit 1; }
wait_for "$REF/_reference/health" 10

say "starting moto"
MOTO_PORT=$(free_port)
"$TARGET/venv-moto/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
MOTO="http://127.0.0.1:$MOTO_PORT"
wait_for "$MOTO/moto-api/" 30
MOTO_VERSION=$("$TARGET/venv-moto/bin/python" -c 'import moto; print(moto.__version__)')

# --- request bodies and set-up --------------------------------------------------------------------
RULE=bench-rule
echo '{}' >"$WORK/empty.json"
echo "{\"ConfigRuleNames\": [\"$RULE\"]}" >"$WORK/describe-rc.json"
python3 - "$WORK/put-exceptions.json" "$RULE" <<'EOF'
import json, sys
keys = [{"ResourceType": "AWS::S3::Bucket", "ResourceId": f"bench-bucket-{i:03}"} for i in range(100)]
json.dump({"ConfigRuleName": sys.argv[2], "ResourceKeys": keys, "Message": "benchmark"}, open(sys.argv[1], "w"))
EOF

aws_call() { # URL TARGET BODY -> prints the status code
  curl -s -o "$WORK/last.out" -w '%{http_code}' -X POST "$1/" \
    -H "X-Amz-Target: StarlingDoveService.$2" -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/config/aws4_request, SignedHeaders=host, Signature=00' \
    --data-binary "$3"
}
expect_200() { # URL TARGET BODY
  local status
  status=$(aws_call "$@")
  [ "$status" = 200 ] || { say "$2 on $1 answered $status: $(cat "$WORK/last.out")"; exit 1; }
}

say "setting up $RULE with 100 NON_COMPLIANT buckets on the reference endpoint"
expect_200 "$REF" PutConfigRule "{\"ConfigRule\": {\"ConfigRuleName\": \"$RULE\", \"Source\": {\"Owner\": \"CUSTOM_LAMBDA\", \"SourceIdentifier\": \"arn:aws:lambda:us-east-1:123456789012:function:bench\", \"SourceDetails\": [{\"EventSource\": \"aws.config\", \"MessageType\": \"ConfigurationItemChangeNotification\"}]}}}"
for i in $(seq -f '%03g' 0 99); do
  curl -sf -X POST "$REF/_reference/control" -H 'Content-Type: application/json' \
    -d "{\"action\": \"set_compliance\", \"rule\": \"$RULE\", \"resource_type\": \"AWS::S3::Bucket\", \"resource_id\": \"bench-bucket-$i\", \"compliance\": \"NON_COMPLIANT\"}" >/dev/null
done
expect_200 "$REF" PutRemediationConfigurations "{\"RemediationConfigurations\": [{\"ConfigRuleName\": \"$RULE\", \"TargetType\": \"SSM_DOCUMENT\", \"TargetId\": \"AWS-EnableS3BucketEncryption\"}]}"
# Each call must succeed for its figure to mean anything.
expect_200 "$REF" PutRemediationExceptions "@$WORK/put-exceptions.json"
grep -q '"FailedBatches":\[\]' "$WORK/last.out" || { say "PutRemediationExceptions refused keys: $(cat "$WORK/last.out")"; exit 1; }
expect_200 "$REF" DescribeConfigRules "@$WORK/empty.json"
expect_200 "$MOTO" DescribeConfigRules "@$WORK/empty.json"
MOTO_PUT_STATUS=$(aws_call "$MOTO" PutRemediationExceptions "@$WORK/put-exceptions.json")
MOTO_DRC_STATUS=$(aws_call "$MOTO" DescribeRemediationConfigurations "@$WORK/describe-rc.json")

# --- measurements ---------------------------------------------------------------------------------
measure() { # URL CONNECTIONS TARGET BODYFILE -> prints requests/s
  local url=$1 connections=$2 target=$3 body=$4 out
  wrk -t"$WRK_THREADS" -c"$connections" -d2s -s "$LUA" "$url" -- "StarlingDoveService.$target" "$body" >/dev/null # warm-up
  out=$(wrk -t"$WRK_THREADS" -c"$connections" -d"$DURATION" -s "$LUA" "$url" -- "StarlingDoveService.$target" "$body")
  if grep -q 'Non-2xx' <<<"$out"; then
    say "$target on $url: some answers were not 2xx:"
    echo "$out" >&2
    exit 1
  fi
  awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

say "measuring, $DURATION per figure (wrk -t$WRK_THREADS; reference -c$REF_CONNECTIONS, moto -c$MOTO_CONNECTIONS)"
REF_DCR=$(measure "$REF" "$REF_CONNECTIONS" DescribeConfigRules "$WORK/empty.json")
MOTO_DCR=$(measure "$MOTO" "$MOTO_CONNECTIONS" DescribeConfigRules "$WORK/empty.json")
REF_DRC=$(measure "$REF" "$REF_CONNECTIONS" DescribeRemediationConfigurations "$WORK/describe-rc.json")
REF_PRE=$(measure "$REF" "$REF_CONNECTIONS" PutRemediationExceptions "$WORK/put-exceptions.json")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0fx", a / b }'; }
row() { printf '| %-44s | %12s | %26s | %6s |\n' "$@"; }
echo
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Throughput on $(nproc) cores shared with wrk ($(date -u +%Y-%m-%d); moto $MOTO_VERSION; $DURATION per figure; load average $LOAD)"
echo
row "call" "reference/s" "moto/s" "ratio"
row "----" "-----------" "------" "-----"
row "DescribeConfigRules {}" "$REF_DCR" "$MOTO_DCR" "$(ratio "$REF_DCR" "$MOTO_DCR")"
row "DescribeRemediationConfigurations (1 rule)" "$REF_DRC" "not implemented (HTTP $MOTO_DRC_STATUS)" "-"
row "PutRemediationExceptions (100 keys)" "$REF_PRE" "not implemented (HTTP $MOTO_PUT_STATUS)" "-"
echo
if awk -v a="$REF_DCR" -v b="$MOTO_DCR" 'BEGIN { exit !(a >= 100 * b) }'; then
  echo "target met: the reference endpoint serves the cheap call at least 100 times moto's rate"
else
  echo "target NOT met: less than 100 times moto's rate on the cheap call"
fi
