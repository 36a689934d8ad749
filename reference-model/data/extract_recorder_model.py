#!/usr/bin/env python3
"""Extracts the configuration recorder and delivery channel operations of AWS Config from
botocore's service model into the same compact form as fixtures/service-model/constraints.json
(documentation removed; members as a bare shape name, or shape plus member traits).

Usage: extract_recorder_model.py path/to/service-2.json[.gz] > recorder-constraints.json
"""
import gzip, hashlib, json, sys

OPERATIONS = [
    "PutConfigurationRecorder", "DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus",
    "StartConfigurationRecorder", "StopConfigurationRecorder", "DeleteConfigurationRecorder",
    "PutDeliveryChannel", "DescribeDeliveryChannels", "DeleteDeliveryChannel",
    # The calls behind ConfigRuleState EVALUATING and DELETING_RESULTS (R-PCR-24, R-SCE, R-DER).
    "StartConfigRulesEvaluation", "DeleteEvaluationResults",
]
KEEP = ["type", "required", "member", "key", "value", "min", "max", "pattern", "enum", "box", "exception"]

path = sys.argv[1]
raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
model = json.loads(raw)
shapes, todo = {}, []

def member(m):
    traits = {k: v for k, v in m.items() if k not in ("documentation",)}
    return traits["shape"] if list(traits) == ["shape"] else traits

def add(name):
    if name in shapes:
        return
    src = model["shapes"][name]
    out = {k: src[k] for k in KEEP if k in src}
    if "member" in src:
        out["member"] = src["member"]["shape"]; todo.append(out["member"])
    for k in ("key", "value"):
        if k in src:
            out[k] = src[k]["shape"]; todo.append(out[k])
    if src["type"] == "structure":
        out["members"] = {n: member(m) for n, m in src.get("members", {}).items()}
        todo.extend(m["shape"] for m in src.get("members", {}).values())
    shapes[name] = out

ops = {}
for op in OPERATIONS:
    o = model["operations"][op]
    ops[op] = {
        "http": o["http"],
        "target": f"{model['metadata']['targetPrefix']}.{op}",
        "input": o["input"]["shape"],
        "output": o.get("output", {}).get("shape"),
        "errors": [e["shape"] for e in o.get("errors", [])],
    }
    todo.append(o["input"]["shape"])
    if "output" in o:
        todo.append(o["output"]["shape"])
    todo.extend(ops[op]["errors"])
while todo:
    add(todo.pop())
print(json.dumps({
    "_source": {"package": "botocore", "version": "1.44.8", "file": "botocore/data/config/2014-11-12/service-2.json(.gz)",
                "sha256_service2_json": hashlib.sha256(raw).hexdigest(),
                "notes": "The configuration recorder and delivery channel operations, extracted by extract_recorder_model.py in the format of fixtures/service-model/constraints.json."},
    "operations": ops,
    "shapes": dict(sorted(shapes.items())),
}, indent=1))
