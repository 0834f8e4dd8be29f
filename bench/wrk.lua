-- wrk script of the benchmarks (bench/lib.sh wrk_run). Without arguments every request is wrk's own
-- (its URL and -H headers). With a file argument (wrk ... -- FILE), each request is drawn at random
-- from the file's lines "METHOD path" (repeat a line to weigh it), and responses outside 2xx are
-- counted (wrk itself counts only >= 400), unless a second argument "no-body" asks for large bodies
-- to be counted without being kept (wrk ... -- FILE no-body; then only >= 400 counts). done() prints one line for the shell:
--   WRK requests bytes seconds errors p50-ms p99-ms connect/read/write/timeout/status
-- errors = connect + read + write + timeout socket errors + non-2xx (or >= 400 without a file).

local reqs = {}
local threads = {}
non2xx = 0
counting = false

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      local method, path = line:match("^(%u+)%s+(%S+)")
      if method then
        table.insert(reqs, wrk.format(method, path))
      end
    end
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
    request = function() return reqs[math.random(#reqs)] end
    -- A response() callback makes wrk keep each whole body in memory for it, growing a buffer to
    -- the body's size: hundreds of MiB per blob, which then measures wrk, not the server. With
    -- "no-body" there is none, and only statuses >= 400 count (wrk's own count).
    if args[2] ~= "no-body" then
      counting = true
      response = function(status)
        if status < 200 or status > 299 then non2xx = non2xx + 1 end
      end
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local bad = e.connect + e.read + e.write + e.timeout
  local status, counted = 0, false
  for _, t in ipairs(threads) do
    status = status + (t:get("non2xx") or 0)
    if t:get("counting") then counted = true end
  end
  if not counted then status = e.status end
  io.write(string.format("WRK %d %d %.3f %d %.2f %.2f %d/%d/%d/%d/%d\n", summary.requests, summary.bytes,
    summary.duration / 1e6, bad + status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.timeout, status))
end
