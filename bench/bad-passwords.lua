-- wrk script of bench/auth.sh: every request a GET of wrk's URL with a Basic header for USER (the
-- first argument) and a password never sent before, so nothing coalesces or is remembered: each
-- one costs the server a bcrypt check. Each connection waits PACE ms (the second argument, default
-- 20) between its requests: 200 connections then ask for thousands of bcrypt checks a second,
-- hundreds of times what the pool can run, and what is measured is bcrypt's pressure, not the raw
-- request rate 2 shared cores can push (any request flood at that rate slows every client, with or
-- without auth). done() prints "BAD requests 401s 429s others".
local user = "alice"
local threads = {}
local n = 0
local pace = 20
s401, s429, other = 0, 0, 0

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  return ((data:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#data % 3 + 1])
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  user = args[1] or user
  pace = tonumber(args[2] or "") or pace
  math.randomseed(os.time() + id * 7919)
end

function request()
  n = n + 1
  local credentials = base64(user .. ":wrong-" .. id .. "-" .. n .. "-" .. math.random(1e9))
  return wrk.format("GET", nil, { Authorization = "Basic " .. credentials })
end

function delay()
  return pace
end

function response(status)
  if status == 401 then s401 = s401 + 1 elseif status == 429 then s429 = s429 + 1 else other = other + 1 end
end

function done(summary)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("s401"); b = b + t:get("s429"); c = c + t:get("other") end
  io.write(string.format("BAD %d %d %d %d\n", summary.requests, a, b, c))
end
