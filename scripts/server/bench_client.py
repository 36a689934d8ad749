"""The one HTTP client of scripts/server/bench.sh's Python steps: unsigned JSON 1.1 calls (the
endpoint under bench does not verify signatures) and control calls, failing on anything but 200."""
import http.client
import json
import sys
import urllib.parse

AUTH = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/config/aws4_request, SignedHeaders=host, Signature=00"


class Client:
    def __init__(self, endpoint, timeout):
        url = urllib.parse.urlsplit(endpoint)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)

    def post(self, path, body, target=None):
        """An API call when `target` names the operation, a control call otherwise."""
        headers = {"Content-Type": "application/x-amz-json-1.1" if target else "application/json", "Authorization": AUTH}
        if target:
            headers["X-Amz-Target"] = "StarlingDoveService." + target
        self.conn.request("POST", path, json.dumps(body), headers)
        answer = self.conn.getresponse()
        data = json.loads(answer.read() or b"{}")
        if answer.status != 200:
            sys.exit(f"{target or path}: HTTP {answer.status}: {data}")
        return data
