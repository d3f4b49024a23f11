-- wrk script for the harness's closed-loop checkout row: every request places an order (POST /api/orders) as a
-- random customer with their bearer token and a fresh Idempotency-Key, for one to three random products, one to
-- three of each (the body loadgen's checkout scenario sends). No reads, no cancels: orders per second.
-- Arguments after --: the customers file that `loadgen seed-users` writes ("/api/users/ID TOKEN" per line; only
-- the token is used), the products' SKUs comma-separated, and a run id that keeps the keys of two runs apart.
-- Usage: WRK_JSON_OUT=out.json wrk -t1 -c8 -d10s -s bench/wrk/checkout.lua http://127.0.0.1:8082 -- users.txt A,B run1

local tokens = {}
local skus = {}
local prefix = "wrk"
local counter = 0
local threads = 0

-- Each thread gets a number, so that the keys of two threads never collide.
function setup(thread)
    threads = threads + 1
    thread:set("thread_number", threads)
end

function init(args)
    local file = assert(io.open(args[1], "r"), "no customers file: pass it after --")
    for line in file:lines() do
        local token = line:match("^%S+%s+(%S+)$")
        if token then
            tokens[#tokens + 1] = "Bearer " .. token
        end
    end
    file:close()
    assert(#tokens > 0, "the customers file names no token")
    for sku in (args[2] or ""):gmatch("[^,]+") do
        skus[#skus + 1] = sku
    end
    assert(#skus > 0, "no SKU given: pass them comma-separated after the customers file")
    prefix = "wrk-" .. (args[3] or "run") .. "-" .. tostring(thread_number or 0) .. "-"
    math.randomseed(os.time() + (thread_number or 0))
end

function request()
    counter = counter + 1
    local lines = math.min(#skus, math.random(3))
    local first = math.random(#skus)
    local items = {}
    for i = 0, lines - 1 do
        items[#items + 1] = string.format('{"sku":"%s","quantity":%d}', skus[((first + i - 1) % #skus) + 1],
                                          math.random(3))
    end
    local body = '{"items":[' .. table.concat(items, ",") .. ']}'
    return wrk.format("POST", "/api/orders", {
        ["Accept"] = "application/json",
        ["Content-Type"] = "application/json",
        ["Authorization"] = tokens[math.random(#tokens)],
        ["Idempotency-Key"] = '"' .. prefix .. counter .. '"',
    }, body)
end

done = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "summary.lua")
