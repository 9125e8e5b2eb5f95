-- PATCH /a/users/<ARCA_BENCH_LOGIN> with a new display name each time (a persisted entity write)
local token = os.getenv("ARCA_BENCH_TOKEN")
local path = "/a/users/" .. os.getenv("ARCA_BENCH_LOGIN")
local n = 0
request = function()
  n = n + 1
  return wrk.format("PATCH", path,
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
    '{"displayName":"Bench ' .. n .. '"}')
end
