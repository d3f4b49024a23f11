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

-- The summary is shared with checkout.lua; dofile wants a path, so it is found beside this script.
done = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "summary.lua")
