-- wrk script: every request is a new charge (its own Idempotency-Key and orderId), so each one is a real
-- capture on the database, not a replay. Usage (the service listening on 8083):
--   wrk -t2 -c16 -d30s --latency -s services/payment/bench/charge.lua http://127.0.0.1:8083
local threads = {}
local next_thread = 1

function setup(thread)
   thread:set("thread_id", next_thread)
   next_thread = next_thread + 1
   table.insert(threads, thread)
end

function init(args)
   run = os.time() % 0x100000000
   count = 0
   statuses = {}
   wrk.method = "POST"
   wrk.path = "/api/payments"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   count = count + 1
   -- A canonical UUID made unique by (start time, thread, counter): no randomness to collide.
   local order = string.format("%08x-%04x-4000-8000-%012x", run, thread_id, count)
   wrk.headers["Idempotency-Key"] = "bench-" .. order
   local body = '{"orderId":"' .. order .. '","userId":"6f1b4c9e-2d7a-4a53-9b1e-1c2d3e4f5a6b",'
                .. '"amountMinor":1999,"currency":"EUR"}'
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      local counted = thread:get("statuses")
      for status, n in pairs(counted) do
         total[status] = (total[status] or 0) + n
      end
   end
   for status, n in pairs(total) do
      io.write(string.format("status %d: %d\n", status, n))
   end
end
