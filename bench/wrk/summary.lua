-- The JSON summary every wrk script of the harness writes (loaded by paths.lua and checkout.lua with dofile, so
-- that each row's figures come out in one shape): written to the file named by WRK_JSON_OUT, else printed.
return function(summary, latency, requests)
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
