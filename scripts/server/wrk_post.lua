-- wrk script: POST one AWS JSON 1.1 request over and over.
-- Usage: wrk ... -s wrk_post.lua URL -- <X-Amz-Target> <body file>
-- No response() callback: it would cost wrk a Lua call per answer; wrk counts non-2xx itself.
-- The Authorization header is a dummy: moto picks the service from its credential scope;
-- the reference endpoint (signatures not checked) ignores it.
function init(args)
  local file = assert(io.open(args[2], "rb"), "cannot open body file " .. tostring(args[2]))
  local body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.path = "/"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = args[1]
  wrk.headers["X-Amz-Date"] = "20260101T000000Z"
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/config/aws4_request, "
    .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000"
end
