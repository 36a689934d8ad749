#!/usr/bin/env bash
# Throughput of the reference endpoint next to a bare axum JSON echo and moto, on this machine,
# in one run. `cargo xtask bench` runs it (with the model's figures) and writes the README table.
#
#   scripts/server/bench.sh            # DURATION=10s per measurement by default
#
# Builds the release binary and the echo (suite/examples/axum_echo.rs), starts the reference
# endpoint (`remediation-suite serve`), the echo and, when target/venv-moto exists (`cargo xtask
# peers moto` creates it), moto, all on 127.0.0.1, and measures with wrk
# (scripts/server/wrk_post.lua):
#   * DescribeConfigRules against all three (the cheap call; the echo sends the body back);
#   * DescribeRemediationConfigurations and PutRemediationExceptions with 100 keys against the
#     reference endpoint (moto implements neither), after setting up the rule and 100
#     NON_COMPLIANT resources through the control API;
#   * paging through 10,000 exceptions, and the resident memory (VmRSS) of a fresh endpoint
#     holding 1,000,000 exceptions.
# Prints a table of requests/s and the ratios; with RESULTS=FILE also writes the figures there as
# key=value lines (what `cargo xtask bench` reads). Loopback only; bounded runs; everything this
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
# moto is measured when its venv exists; the table says so when it does not.
HAVE_MOTO=0
[ -x "$TARGET/venv-moto/bin/moto_server" ] && HAVE_MOTO=1
say "building the release binary and the echo"
cargo build --release -q -p remediation-suite --manifest-path "$ROOT/Cargo.toml"
cargo build --release -q -p remediation-suite --example axum_echo --manifest-path "$ROOT/Cargo.toml"

# --- the two endpoints ----------------------------------------------------------------------------
start_printing_url() { # NAME OUTFILE COMMAND... -> waits until the command printed its URL
  local name=$1 out=$2
  shift 2
  "$@" >"$out" 2>"$WORK/$name.log" &
  PIDS+=($!)
  local pid=$!
  for _ in $(seq 100); do
    [ -s "$out" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  say "$name did not start:"
  cat "$WORK/$name.log" >&2
  exit 1
}

say "starting the reference endpoint and the echo"
start_printing_url reference "$WORK/ref.url" "$TARGET/release/remediation-suite" serve --port 0
REF_PID=${PIDS[-1]}
REF=$(head -n1 "$WORK/ref.url")
wait_for "$REF/_reference/health" 10
start_printing_url echo "$WORK/echo.url" "$TARGET/release/examples/axum_echo"
ECHO_PID=${PIDS[-1]}
ECHO=$(head -n1 "$WORK/echo.url")

MOTO_VERSION=
if [ "$HAVE_MOTO" = 1 ]; then
  say "starting moto"
  MOTO_PORT=$(free_port)
  "$TARGET/venv-moto/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
  PIDS+=($!)
  MOTO="http://127.0.0.1:$MOTO_PORT"
  wait_for "$MOTO/moto-api/" 30
  MOTO_VERSION=$("$TARGET/venv-moto/bin/python" -c 'import moto; print(moto.__version__)')
fi

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
expect_200 "$ECHO" DescribeConfigRules "@$WORK/empty.json"
if [ "$HAVE_MOTO" = 1 ]; then
  expect_200 "$MOTO" DescribeConfigRules "@$WORK/empty.json"
  MOTO_PUT_STATUS=$(aws_call "$MOTO" PutRemediationExceptions "@$WORK/put-exceptions.json")
  MOTO_DRC_STATUS=$(aws_call "$MOTO" DescribeRemediationConfigurations "@$WORK/describe-rc.json")
fi

# --- measurements ---------------------------------------------------------------------------------
# CPU time a process has used, in clock ticks (utime + stime of /proc/PID/stat; the fields are
# counted after the command name, which may hold spaces).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
HZ=$(getconf CLK_TCK)

measure() { # URL CONNECTIONS TARGET BODYFILE [SERVER_PID NAME] -> prints requests/s
  # With SERVER_PID, also writes "$WORK/cpu-NAME": the server's and wrk's CPU microseconds per
  # request. On cores the two share, their sum bounds the rate: cores * 1e6 / (server + wrk).
  local url=$1 connections=$2 target=$3 body=$4 pid=${5:-} name=${6:-} out before after
  wrk -t"$WRK_THREADS" -c"$connections" -d2s -s "$LUA" "$url" -- "StarlingDoveService.$target" "$body" >/dev/null # warm-up
  [ -n "$pid" ] && before=$(ticks "$pid")
  out=$(/usr/bin/time -f 'wrk-cpu %U %S' wrk -t"$WRK_THREADS" -c"$connections" -d"$DURATION" -s "$LUA" "$url" -- "StarlingDoveService.$target" "$body" 2>&1)
  if grep -q 'Non-2xx' <<<"$out"; then
    say "$target on $url: some answers were not 2xx:"
    echo "$out" >&2
    exit 1
  fi
  if [ -n "$pid" ]; then
    after=$(ticks "$pid")
    awk -v t=$((after - before)) -v hz="$HZ" '/requests in/ {n = $1} /^wrk-cpu/ {w = $2 + $3} END { printf "%.1f %.1f\n", 1e6 * t / hz / n, 1e6 * w / n }' <<<"$out" >"$WORK/cpu-$name"
  fi
  awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

say "measuring, $DURATION per figure (wrk -t$WRK_THREADS; reference and echo -c$REF_CONNECTIONS, moto -c$MOTO_CONNECTIONS)"
REF_DCR=$(measure "$REF" "$REF_CONNECTIONS" DescribeConfigRules "$WORK/empty.json" "$REF_PID" ref-dcr)
ECHO_DCR=$(measure "$ECHO" "$REF_CONNECTIONS" DescribeConfigRules "$WORK/empty.json" "$ECHO_PID" echo-dcr)
MOTO_DCR=
[ "$HAVE_MOTO" = 1 ] && MOTO_DCR=$(measure "$MOTO" "$MOTO_CONNECTIONS" DescribeConfigRules "$WORK/empty.json")
REF_DRC=$(measure "$REF" "$REF_CONNECTIONS" DescribeRemediationConfigurations "$WORK/describe-rc.json")
REF_PRE=$(measure "$REF" "$REF_CONNECTIONS" PutRemediationExceptions "$WORK/put-exceptions.json" "$REF_PID" ref-pre)

# Paging through 10,000 exceptions (issue 13, item 3): one keep-alive connection, pages of 100,
# timed as a whole; the best of three passes. On its own rule so that the figures above are not
# measured against a bigger table.
say "paging through 10,000 exceptions"
PAGING_MS=$(python3 - "$REF" "$ROOT/scripts/server" <<'PY'
import json, sys, time
sys.path.insert(0, sys.argv[2])
from bench_client import Client
post = Client(sys.argv[1], timeout=30).post
RULE, N = "bench-paging", 10_000
post("/", {"ConfigRule": {"ConfigRuleName": RULE, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}, "PutConfigRule")
for i in range(N):
    post("/_reference/control", {"action": "set_compliance", "rule": RULE, "resource_type": "AWS::S3::Bucket", "resource_id": f"page-{i:05}", "compliance": "NON_COMPLIANT"})
for start in range(0, N, 100):
    keys = [{"ResourceType": "AWS::S3::Bucket", "ResourceId": f"page-{i:05}"} for i in range(start, start + 100)]
    answer = post("/", {"ConfigRuleName": RULE, "ResourceKeys": keys, "Message": "paging"}, "PutRemediationExceptions")
    if answer.get("FailedBatches"):
        sys.exit(f"PutRemediationExceptions refused keys: {answer['FailedBatches'][:1]}")
best = None
for _ in range(3):
    started, seen, token = time.perf_counter(), 0, None
    while True:
        body = {"ConfigRuleName": RULE, "Limit": 100}
        if token:
            body["NextToken"] = token
        page = post("/", body, "DescribeRemediationExceptions")
        seen += len(page.get("RemediationExceptions", []))
        token = page.get("NextToken")
        if not token:
            break
    elapsed = time.perf_counter() - started
    if seen != N:
        sys.exit(f"paging saw {seen} exceptions, not {N}")
    best = elapsed if best is None else min(best, elapsed)
print(f"{best * 1000:.0f}")
PY
)

# Resident memory holding 1,000,000 exceptions (issue 13, item 3): a fresh endpoint of its own,
# 1,000,000 NON_COMPLIANT evaluations (PutEvaluations, 100 a call, with a ResultToken from the
# control API) and an exception on each (PutRemediationExceptions, 100 keys a call); VmRSS of
# the process from /proc before, between (the evaluations alone: what the exceptions add is the
# difference) and after. Each answer is checked; DescribeRemediationExceptions for a few keys
# must find them.
say "loading 1,000,000 exceptions into a fresh endpoint"
start_printing_url memory "$WORK/mem.url" "$TARGET/release/remediation-suite" serve --port 0
MEM_PID=${PIDS[-1]}
MEM=$(head -n1 "$WORK/mem.url")
wait_for "$MEM/_reference/health" 10
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
RSS_EMPTY_MB=$(rss_mb "$MEM_PID")
RSS_EVALUATIONS_MB=$(python3 - "$MEM" "$ROOT/scripts/server" "$MEM_PID" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2])
def rss_mb():
    with open(f"/proc/{sys.argv[3]}/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return round(kb / 1024)
from bench_client import Client
post = Client(sys.argv[1], timeout=60).post
RULE, N = "bench-memory", 1_000_000
post("/", {"ConfigRule": {"ConfigRuleName": RULE, "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:bench",
    "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]}}}, "PutConfigRule")
token = post("/_reference/control", {"action": "issue_result_token", "rule": RULE})["ResultToken"]
ids = lambda start: [f"memory-bucket-{i:07}" for i in range(start, start + 100)]
for start in range(0, N, 100):
    evaluations = [{"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": i, "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": 1767225600} for i in ids(start)]
    answer = post("/", {"Evaluations": evaluations, "ResultToken": token}, "PutEvaluations")
    if answer.get("FailedEvaluations"):
        sys.exit(f"PutEvaluations refused: {answer['FailedEvaluations'][:1]}")
print(rss_mb())
for start in range(0, N, 100):
    keys = [{"ResourceType": "AWS::S3::Bucket", "ResourceId": i} for i in ids(start)]
    answer = post("/", {"ConfigRuleName": RULE, "ResourceKeys": keys, "Message": "memory"}, "PutRemediationExceptions")
    if answer.get("FailedBatches"):
        sys.exit(f"PutRemediationExceptions refused keys: {answer['FailedBatches'][:1]}")
probe = [{"ResourceType": "AWS::S3::Bucket", "ResourceId": f"memory-bucket-{i:07}"} for i in (0, 499_999, N - 1)]
found = post("/", {"ConfigRuleName": RULE, "ResourceKeys": probe}, "DescribeRemediationExceptions")["RemediationExceptions"]
if len(found) != 3:
    sys.exit(f"DescribeRemediationExceptions found {len(found)} of the 3 probed exceptions")
PY
)
RSS_1M_MB=$(rss_mb "$MEM_PID")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0fx", a / b }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
row() { printf '| %-44s | %12s | %12s | %26s |\n' "$@"; }
echo
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Throughput on $(nproc) cores shared with wrk ($(date -u +%Y-%m-%d); moto ${MOTO_VERSION:-not measured}; $DURATION per figure; load average $LOAD)"
echo
row "call" "reference/s" "echo/s" "moto/s"
row "----" "-----------" "------" "------"
row "DescribeConfigRules {}" "$REF_DCR" "$ECHO_DCR" "${MOTO_DCR:-no venv}"
row "DescribeRemediationConfigurations (1 rule)" "$REF_DRC" "-" "${MOTO_DRC_STATUS:+not implemented (HTTP $MOTO_DRC_STATUS)}"
row "PutRemediationExceptions (100 keys)" "$REF_PRE" "-" "${MOTO_PUT_STATUS:+not implemented (HTTP $MOTO_PUT_STATUS)}"
echo
echo "DescribeRemediationExceptions, paging through 10,000 exceptions (pages of 100): $PAGING_MS ms"
echo "resident memory: $RSS_EMPTY_MB MB empty, $RSS_EVALUATIONS_MB MB holding 1,000,000 evaluations, $RSS_1M_MB MB with an exception on each too"
echo "reference / echo on DescribeConfigRules: $(percent "$REF_DCR" "$ECHO_DCR")"
[ -n "$MOTO_DCR" ] && echo "reference / moto on DescribeConfigRules: $(ratio "$REF_DCR" "$MOTO_DCR")"
# Where the time goes (issue 13, item 4): CPU per request of the server and of the load generator.
cpu_line() { # NAME LABEL
  read -r server client <"$WORK/cpu-$1"
  awk -v s="$server" -v c="$client" -v n="$(nproc)" -v l="$2" 'BEGIN { printf "CPU a request, %s: server %.1f us, wrk %.1f us; on %d shared cores at most %.0f/s\n", l, s, c, n, n * 1e6 / (s + c) }'
}
cpu_line ref-dcr "reference, DescribeConfigRules"
cpu_line echo-dcr "echo, DescribeConfigRules"
cpu_line ref-pre "reference, PutRemediationExceptions (100 keys)"

if [ -n "${RESULTS:-}" ]; then
  {
    echo "duration=$DURATION"
    echo "wrk_threads=$WRK_THREADS"
    echo "ref_connections=$REF_CONNECTIONS"
    echo "moto_connections=$MOTO_CONNECTIONS"
    echo "load_during=$LOAD"
    echo "ref_describe_config_rules=$REF_DCR"
    echo "echo_describe_config_rules=$ECHO_DCR"
    echo "ref_describe_remediation_configurations=$REF_DRC"
    echo "ref_put_remediation_exceptions_100=$REF_PRE"
    echo "ref_paging_10000_ms=$PAGING_MS"
    echo "ref_rss_empty_mb=$RSS_EMPTY_MB"
    echo "ref_rss_1m_evaluations_mb=$RSS_EVALUATIONS_MB"
    echo "ref_rss_1m_exceptions_mb=$RSS_1M_MB"
    echo "moto_version=$MOTO_VERSION"
    echo "moto_describe_config_rules=$MOTO_DCR"
  } >"$RESULTS"
fi
