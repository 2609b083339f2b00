-- wrk script for the OTLP ingest benchmark: posts a template body with its placeholder (ten X's) replaced by a
-- number unique to the request, so that every export carries its own request id. Protobuf templates stay valid:
-- the replacement has the placeholder's length. Arguments: template file, content type.
local counter = 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  template = f:read("*a")
  f:close()
  ctype = args[2]
end

function request()
  counter = counter + 1
  local body = template:gsub("XXXXXXXXXX", string.format("%02d%08d", tid or 0, counter))
  return wrk.format("POST", nil, { ["Content-Type"] = ctype }, body)
end
