-- wrk script for the benchmark harness: requests the paths listed in a file (one per line, e.g.
-- /api/users/ID), round-robin, and writes the summary as JSON to the file named by WRK_JSON_OUT.
-- A line may carry a bearer token after the path ("/api/users/ID TOKEN"): that request is then sent as the
-- customer the token names (loadgen seed-users writes such lines; tokens last 15 minutes).
-- Usage: WRK_JSON_OUT=out.json wrk -t1 -c32 -d10s -s bench/wrk/paths.lua http://127.0.0.1:8081 -- paths.txt
-- The ceiling is measured with the same script (a file with one path), so the Lua cost is the same on both.

local paths = {}
local counter = 0

function init(args)
    local file = assert(io.open(args[1], "r"), "no paths file: pass it after --")
    for line in file:lines() do
        local path, token = line:match("^(%S+)%s+(%S+)$")
        if path then
            paths[#paths + 1] = wrk.format("GET", path, { ["Accept"] = "application/json",
                                                          ["Authorization"] = "Bearer " .. token })
        elseif #line > 0 then
            paths[#paths + 1] = wrk.format("GET", line, { ["Accept"] = "application/json" })
        end
    end
    file:close()
    assert(#paths > 0, "the paths file is empty")
    -- Threads start at different offsets so that they do not all ask for the same row at once.
    counter = math.random(#paths) - 1
end

function request()
    counter = counter + 1
    return paths[(counter % #paths) + 1]
end

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    local json = string.format(
        '{"tool":"wrk","requests":%d,"durationSec":%.3f,"requestsPerSec":%.1f,"bytes":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"latencyMs":{"mean":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"p99_9":%.3f,"max":%.3f},' ..
        '"note":"closed loop: latency suffers from coordinated omission; use requestsPerSec"}\n',
        summary.requests, seconds, summary.requests / seconds, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000)
    local out = os.getenv("WRK_JSON_OUT")
    if out then
        local file = assert(io.open(out, "w"))
        file:write(json)
        file:close()
    else
        io.write(json)
    end
end
