#!/usr/bin/env python3
"""The AWS CLI, unchanged, against the reference endpoint: a put/describe/delete round trip of
remediation exceptions (plus the rule and remediation configuration it needs), with SigV4
signatures that the endpoint checks.

Usage: aws_cli_roundtrip.py ENDPOINT_URL AWS_EXECUTABLE
The endpoint must verify signatures against AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from this
script's environment. Prints "ok: <check>" lines and "aws cli: N checks passed"; exits 1 on
the first failure.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

URL, AWS = sys.argv[1].rstrip("/"), sys.argv[2]
RULE = "cli-rule"
checks = 0

# Only what this script sets: no profile, config file or pager of the machine leaks in.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
ENV.update(
    AWS_ACCESS_KEY_ID=os.environ["AWS_ACCESS_KEY_ID"],
    AWS_SECRET_ACCESS_KEY=os.environ["AWS_SECRET_ACCESS_KEY"],
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_PAGER="",
    AWS_MAX_ATTEMPTS="1",
)


def check(name, condition, detail=""):
    global checks
    if not condition:
        print(f"FAILED: {name} {detail}", flush=True)
        sys.exit(1)
    checks += 1
    print(f"ok: {name}", flush=True)


def aws(*args, env=ENV):
    """Runs `aws configservice ...`; returns (exit code, parsed stdout or None, stderr)."""
    done = subprocess.run(
        [AWS, "configservice", *args, "--endpoint-url", URL, "--output", "json"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    out = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, out, done.stderr


def control(body):
    request = urllib.request.Request(f"{URL}/_reference/control", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({
        "ConfigRuleName": RULE,
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:check",
                   "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]},
    }, f)
    rule_file = f.name

code, out, err = aws("put-config-rule", "--config-rule", f"file://{rule_file}")
os.unlink(rule_file)
check("put-config-rule", code == 0 and out is None, err)
control({"action": "set_compliance", "rule": RULE, "resource_type": "AWS::S3::Bucket", "resource_id": "cli-bucket", "compliance": "NON_COMPLIANT"})

keys = "ResourceType=AWS::S3::Bucket,ResourceId=cli-bucket"
code, out, err = aws("put-remediation-exceptions", "--config-rule-name", RULE, "--resource-keys", keys, "--message", "approved by the CLI")
check("put-remediation-exceptions", code == 0 and out == {"FailedBatches": []}, f"{code} {out} {err}")

code, out, err = aws("describe-remediation-exceptions", "--config-rule-name", RULE)
found = (out or {}).get("RemediationExceptions", [])
check("describe-remediation-exceptions", code == 0 and [(e["ResourceId"], e.get("Message")) for e in found] == [("cli-bucket", "approved by the CLI")], f"{code} {out} {err}")

code, out, err = aws("delete-remediation-exceptions", "--config-rule-name", RULE, "--resource-keys", keys)
check("delete-remediation-exceptions", code == 0 and out == {"FailedBatches": []}, f"{code} {out} {err}")

code, out, err = aws("describe-remediation-exceptions", "--config-rule-name", RULE)
check("the exception is gone", code == 0 and out == {"RemediationExceptions": []}, f"{code} {out} {err}")

code, out, err = aws("delete-remediation-exceptions", "--config-rule-name", RULE, "--resource-keys", keys)
check("a second delete fails with NoSuchRemediationExceptionException", code != 0 and "NoSuchRemediationExceptionException" in err, f"{code} {err}")

bad = dict(ENV, AWS_SECRET_ACCESS_KEY="not-the-secret")
code, out, err = aws("describe-config-rules", env=bad)
check("a wrong secret fails with InvalidSignatureException", code != 0 and "InvalidSignatureException" in err, f"{code} {err}")
check("the secret is not echoed", "not-the-secret" not in err and os.environ["AWS_SECRET_ACCESS_KEY"] not in err, err)

code, out, err = aws("delete-config-rule", "--config-rule-name", RULE)
check("delete-config-rule", code == 0 and out is None, f"{code} {out} {err}")

print(f"aws cli: {checks} checks passed")
