#!/usr/bin/env python3
"""boto3, unchanged, against the reference endpoint.

Exercises the nine remediation operations (PutRemediationConfigurations,
DescribeRemediationConfigurations, DeleteRemediationConfiguration, PutRemediationExceptions,
DescribeRemediationExceptions, DeleteRemediationExceptions, StartRemediationExecution,
DescribeRemediationExecutionStatus, PutEvaluations) and the rule calls PutConfigRule,
DeleteConfigRule, DescribeConfigRules and GetComplianceDetailsByConfigRule, using the
endpoint's control API (/_reference/) for what a real account would need other services for.

Usage: boto3_clients.py ENDPOINT_URL   (a fresh endpoint with a virtual clock)
Prints one "ok: <check>" line per check and "boto3: N checks passed" at the end; exits 1 with
"FAILED: ..." on the first failed check.
"""

import datetime
import json
import sys
import urllib.request

import boto3
import botocore
from botocore.config import Config

URL = sys.argv[1].rstrip("/")
RULE = "boto3-rule"
BUCKET = "AWS::S3::Bucket"
checks = 0


def check(name, condition, detail=""):
    global checks
    if not condition:
        print(f"FAILED: {name} {detail}", flush=True)
        sys.exit(1)
    checks += 1
    print(f"ok: {name}", flush=True)


def control(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{URL}/_reference/{path}", data=data, method="POST" if data is not None else "GET")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def expect_error(name, exception_class, call):
    """`call` must raise exactly this modelled botocore exception class."""
    try:
        call()
    except exception_class as e:
        check(name, True)
        return e
    except botocore.exceptions.ClientError as e:
        check(name, False, f"raised {type(e).__name__} ({e.response['Error'].get('Code')}) instead of {exception_class.__name__}")
    check(name, False, "no error raised")


client = boto3.client(
    "config",
    endpoint_url=URL,
    region_name="us-east-1",
    aws_access_key_id="AKIDBOTO3TEST",
    aws_secret_access_key="boto3-test-secret",
    config=Config(retries={"max_attempts": 1}),
)

# --- rules ------------------------------------------------------------------------------------
response = client.put_config_rule(
    ConfigRule={
        "ConfigRuleName": RULE,
        "Source": {
            "Owner": "CUSTOM_LAMBDA",
            "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:check",
            "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}],
        },
        "Scope": {"ComplianceResourceTypes": [BUCKET]},
    }
)
check("PutConfigRule succeeds", response["ResponseMetadata"]["HTTPStatusCode"] == 200, response)
check("x-amzn-RequestId reaches botocore", len(response["ResponseMetadata"]["RequestId"]) == 36, response["ResponseMetadata"])

rules = client.describe_config_rules(ConfigRuleNames=[RULE])["ConfigRules"]
check("DescribeConfigRules returns the rule", len(rules) == 1 and rules[0]["ConfigRuleName"] == RULE, rules)
check("ConfigRuleId has the real shape", rules[0]["ConfigRuleId"].startswith("config-rule-"), rules[0])
check("ConfigRuleArn ends in the id", rules[0]["ConfigRuleArn"].endswith("config-rule/" + rules[0]["ConfigRuleId"]), rules[0])

# --- compliance: through the control API and through PutEvaluations -----------------------------
for bucket in ("b1", "b2"):
    control("control", {"action": "set_compliance", "rule": RULE, "resource_type": BUCKET, "resource_id": bucket, "compliance": "NON_COMPLIANT"})
token = control("control", {"action": "issue_result_token", "rule": RULE})["ResultToken"]
check("the control API issues a ResultToken", token.startswith("rt-"), token)
response = client.put_evaluations(
    Evaluations=[
        {
            "ComplianceResourceType": BUCKET,
            "ComplianceResourceId": "b3",
            "ComplianceType": "NON_COMPLIANT",
            "OrderingTimestamp": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        }
    ],
    ResultToken=token,
)
check("PutEvaluations accepts the token", response["FailedEvaluations"] == [], response)
expect_error(
    "PutEvaluations with a forged token raises InvalidResultTokenException",
    client.exceptions.InvalidResultTokenException,
    lambda: client.put_evaluations(Evaluations=[], ResultToken="forged"),
)

details = client.get_compliance_details_by_config_rule(ConfigRuleName=RULE, ComplianceTypes=["NON_COMPLIANT"])
results = details["EvaluationResults"]
ids = sorted(r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for r in results)
check("GetComplianceDetailsByConfigRule lists b1, b2, b3", ids == ["b1", "b2", "b3"], ids)
check("timestamps parse as datetimes", isinstance(results[0]["ResultRecordedTime"], datetime.datetime), results[0])

# --- remediation configurations -----------------------------------------------------------------
response = client.put_remediation_configurations(
    RemediationConfigurations=[
        {
            "ConfigRuleName": RULE,
            "TargetType": "SSM_DOCUMENT",
            "TargetId": "AWS-EnableS3BucketEncryption",
            "Parameters": {"BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}},
            "ResourceType": BUCKET,
            "Automatic": False,
        }
    ]
)
check("PutRemediationConfigurations succeeds", response["FailedBatches"] == [], response)
configs = client.describe_remediation_configurations(ConfigRuleNames=[RULE])["RemediationConfigurations"]
check("DescribeRemediationConfigurations returns it with an Arn", len(configs) == 1 and configs[0]["Arn"].startswith("arn:aws:config:us-east-1:123456789012:remediation-configuration/"), configs)
check("Parameters round-trip", configs[0]["Parameters"] == {"BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}}, configs[0])
expect_error(
    "DeleteConfigRule with a configuration attached raises ResourceInUseException",
    client.exceptions.ResourceInUseException,
    lambda: client.delete_config_rule(ConfigRuleName=RULE),
)

# --- exceptions -----------------------------------------------------------------------------------
expires = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)
response = client.put_remediation_exceptions(
    ConfigRuleName=RULE, ResourceKeys=[{"ResourceType": BUCKET, "ResourceId": "b1"}], Message="approved by boto3", ExpirationTime=expires
)
check("PutRemediationExceptions succeeds", response["FailedBatches"] == [], response)
found = client.describe_remediation_exceptions(ConfigRuleName=RULE)["RemediationExceptions"]
check("DescribeRemediationExceptions returns it", len(found) == 1 and found[0]["ResourceId"] == "b1" and found[0]["Message"] == "approved by boto3", found)
check("ExpirationTime parses as the datetime sent", found[0]["ExpirationTime"] == expires, found[0])
response = client.delete_remediation_exceptions(ConfigRuleName=RULE, ResourceKeys=[{"ResourceType": BUCKET, "ResourceId": "b1"}])
check("DeleteRemediationExceptions succeeds", response["FailedBatches"] == [], response)
found = client.describe_remediation_exceptions(ConfigRuleName=RULE)["RemediationExceptions"]
check("the exception is gone", found == [], found)
expect_error(
    "DeleteRemediationExceptions of a missing exception raises NoSuchRemediationExceptionException",
    client.exceptions.NoSuchRemediationExceptionException,
    lambda: client.delete_remediation_exceptions(ConfigRuleName=RULE, ResourceKeys=[{"ResourceType": BUCKET, "ResourceId": "b1"}]),
)

# --- executions on the virtual clock ----------------------------------------------------------------
keys = [{"resourceType": BUCKET, "resourceId": "b2"}]
response = client.start_remediation_execution(ConfigRuleName=RULE, ResourceKeys=keys)
check("StartRemediationExecution succeeds with no FailedItems", "FailedItems" not in response, response)
statuses = client.describe_remediation_execution_status(ConfigRuleName=RULE, ResourceKeys=keys)["RemediationExecutionStatuses"]
check("the execution is QUEUED", [s["State"] for s in statuses] == ["QUEUED"], statuses)
now = control("clock", {"advance_seconds": 10})["now"]
check("the control API advances the clock", now == 1767225600 + 10, now)
statuses = client.describe_remediation_execution_status(ConfigRuleName=RULE, ResourceKeys=keys)["RemediationExecutionStatuses"]
check("the execution SUCCEEDED", [s["State"] for s in statuses] == ["SUCCEEDED"], statuses)
check("its step SUCCEEDED", statuses[0]["StepDetails"][0]["State"] == "SUCCEEDED", statuses[0])
check("InvocationTime parses as a datetime", statuses[0]["InvocationTime"] == datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc), statuses[0])

# --- errors surface as the right botocore exception classes ------------------------------------------
expect_error(
    "DeleteRemediationConfiguration of an unknown rule raises NoSuchRemediationConfigurationException",
    client.exceptions.NoSuchRemediationConfigurationException,
    lambda: client.delete_remediation_configuration(ConfigRuleName="no-such-rule"),
)
expect_error(
    "StartRemediationExecution without a configuration raises NoSuchRemediationConfigurationException",
    client.exceptions.NoSuchRemediationConfigurationException,
    lambda: client.start_remediation_execution(ConfigRuleName="no-such-rule", ResourceKeys=keys),
)
expect_error(
    "DescribeConfigRules of an unknown rule raises NoSuchConfigRuleException",
    client.exceptions.NoSuchConfigRuleException,
    lambda: client.describe_config_rules(ConfigRuleNames=["no-such-rule"]),
)
try:
    client.put_remediation_exceptions(ConfigRuleName="r" * 129, ResourceKeys=[{"ResourceType": BUCKET, "ResourceId": "b1"}])
    check("an over-long name is refused", False, "no error raised")
except botocore.exceptions.ClientError as e:
    error = e.response["Error"]
    check("an over-long name is a ValidationException", error["Code"] == "ValidationException", error)
    check("with AWS's message", error["Message"].startswith("1 validation error detected: "), error)
    check("and status 400", e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response["ResponseMetadata"])

# --- clean up ---------------------------------------------------------------------------------------
response = client.delete_remediation_configuration(ConfigRuleName=RULE)
check("DeleteRemediationConfiguration succeeds", response["ResponseMetadata"]["HTTPStatusCode"] == 200, response)
check("DescribeRemediationConfigurations is empty", client.describe_remediation_configurations(ConfigRuleNames=[RULE])["RemediationConfigurations"] == [])
response = client.delete_config_rule(ConfigRuleName=RULE)
check("DeleteConfigRule succeeds", response["ResponseMetadata"]["HTTPStatusCode"] == 200, response)
check("DescribeConfigRules is empty", client.describe_config_rules()["ConfigRules"] == [])

print(f"boto3: {checks} checks passed")
