-- POST /a/nodes/<ARCA_BENCH_FOLDER>/d<run><thread>-<n>: creates ARCA_BENCH_COUNT folders in all (split over the
-- threads), then each thread stops and touches <ARCA_BENCH_DONE_DIR>/<thread> with "created errors"; the caller
-- interrupts wrk (SIGINT) once every thread is done. A 401 (expired token) ends the thread early.
-- wrk 4 calls request() of thread 1 once before any connection to check what it returns and sends nothing: that
-- first name is skipped, so thread 1 generates one more (were it sent after all, the folder gets one extra entry).
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local token = os.getenv("ARCA_BENCH_TOKEN")
local folder = os.getenv("ARCA_BENCH_FOLDER")
local run = os.getenv("ARCA_BENCH_RUN") or ""
local total = tonumber(os.getenv("ARCA_BENCH_COUNT"))
local threads = tonumber(os.getenv("ARCA_BENCH_THREADS"))
local done_dir = os.getenv("ARCA_BENCH_DONE_DIR")
local quota, issued, answered, created, errors, finished, skip = 0, 0, 0, 0, 0, false, 0
local auth = { ["Authorization"] = "Bearer " .. token }

function init(args)
  quota = math.floor(total / threads)
  if id <= total % threads then quota = quota + 1 end
  if id == 1 then skip = 1 end
end

local function finish()
  if finished then return end
  finished = true
  local f = io.open(done_dir .. "/" .. id, "w")
  f:write(created .. " " .. errors .. "\n")
  f:close()
  wrk.thread:stop()
end

function request()
  if issued < quota + skip and not finished then
    issued = issued + 1
    return wrk.format("POST", "/a/nodes/" .. folder .. "/d" .. run .. id .. "-" .. issued, auth)
  end
  return wrk.format("GET", "/healthz")  -- filler while the last creations are answered (status 200, not counted)
end

function response(status, headers, body)
  if status == 200 then
    if quota == 0 then finish() end
    return
  end
  answered = answered + 1
  if status == 201 then created = created + 1 else errors = errors + 1 end
  if status == 401 or answered >= quota then finish() end
end
