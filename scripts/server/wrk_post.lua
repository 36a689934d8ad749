-- wrk script: POST one AWS JSON 1.1 request over and over.
-- Usage: wrk ... -s wrk_post.lua URL -- <X-Amz-Target> <body file>
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

-- Count answers that are not 2xx, so a benchmark of errors is noticed.
local errors = 0
function response(status, headers, body)
  if status < 200 or status > 299 then
    errors = errors + 1
  end
end
