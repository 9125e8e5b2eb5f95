-- PUT /io/common/small/f<run><thread>-<n>: a new 4 KiB object per request (Bearer ARCA_BENCH_TOKEN);
-- ARCA_BENCH_RUN keeps keys of separate wrk runs apart, ARCA_BENCH_PREFIX is the key prefix (default /io/common/small)
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local token = os.getenv("ARCA_BENCH_TOKEN")
local prefix = os.getenv("ARCA_BENCH_PREFIX") or "/io/common/small"
local run = os.getenv("ARCA_BENCH_RUN") or ""
local body = string.rep("0123456789abcdef", 256)  -- 4096 bytes
local n = 0
function request()
  n = n + 1
  local headers = { ["Content-Type"] = "application/octet-stream" }
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("PUT", prefix .. "/f" .. run .. id .. "-" .. n, headers, body)
end
