-- wrk script of bench/assessment.py: the requests of a nationwide distance test, one examinee's token each.
--
--   wrk -t2 -c64 -d30s -s bench/assessment.lua http://127.0.0.1:PORT/ -- MODE FILE THREADS
--
-- FILE has one request per line, "token a b body" (body: compact JSON without spaces, may be absent):
--   answers  PUT  /api/v1/attempts/<a>/answers/<b>  body      (lines reused in a loop: a save overwrites)
--   start    POST /api/v1/tests/<a>/attempts        body      (each line once: an examinee without an attempt)
--   submit   POST /api/v1/attempts/<a>/submit                 (each line once: an open attempt)
-- Thread k of THREADS takes lines k, k + THREADS, ... (the generator shuffled them). A "once" mode stops its
-- thread when its lines run out, and says so. done() prints one line "WRK_JSON {...}" for bench/assessment.py.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  local path = args[2]
  local nthreads = tonumber(args[3])
  lines = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == thread_index then
      lines[#lines + 1] = line
    end
    i = i + 1
  end
  line_count = #lines
  position = 0
  statuses = {}
  exhausted = 0
  loop = (mode == "answers")
end

local function build(line)
  local token, a, b, body = line:match("^(%S+) (%S+) ?(%S*) ?(%S*)$")
  local headers = {["Authorization"] = "Bearer " .. token}
  if mode == "answers" then
    headers["Content-Type"] = "application/json"
    return wrk.format("PUT", "/api/v1/attempts/" .. a .. "/answers/" .. b, headers, body)
  elseif mode == "start" then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/tests/" .. a .. "/attempts", headers, b)
  else
    return wrk.format("POST", "/api/v1/attempts/" .. a .. "/submit", headers, nil)
  end
end

function request()
  position = position + 1
  if position > #lines then
    if loop then
      position = 1
    else
      exhausted = 1
      wrk.thread:stop()
      position = #lines
    end
  end
  return build(lines[position])
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged, exhausted_threads, lines_total = {}, 0, 0
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      merged[code] = (merged[code] or 0) + n
    end
    exhausted_threads = exhausted_threads + thread:get("exhausted")
    lines_total = lines_total + thread:get("line_count")
  end
  local parts = {}
  for code, n in pairs(merged) do
    parts[#parts + 1] = string.format('"%s":%d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"statuses":{%s},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p75":%d,"p90":%d,"p95":%d,"p99":%d,' ..
    '"p999":%d},"exhausted_threads":%d,"lines":%d}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ","), latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9), exhausted_threads, lines_total))
end
