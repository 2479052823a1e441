-- wrk script for `python -m benchmarks api` (see benchmarks/api.py).
--
--   wrk ... -s benchmarks/api.lua http://127.0.0.1:PORT -- MODE TOKEN THREADS CASES
--
-- MODE   ping | get | post
-- TOKEN  bearer token (ignored for ping)
-- THREADS the -t value, so each thread can take its share of the cases
-- CASES  "id:version,id:version,..." (every case starts in mediation.in_session)
--
-- post: every thread owns the cases at positions tid, tid+THREADS, ...; a case is
-- never in flight twice (a thread hands a case to one connection at a time and
-- takes it back when its response arrives), and its version is tracked from the
-- ETag of each answer (or `current_version` of a 409), its state from the body,
-- so the adjourn / start_session loop keeps succeeding.
-- done() prints one line: `WRK_RESULT key=value ...` (latencies in microseconds).

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local mode, token
local get_requests = {}          -- get: prepared requests, one per owned case
local next_get = 0
local ping_request

local cases = {}                 -- post: id -> {version = n, in_session = bool}
local free = {}                  -- post: FIFO of case ids not in flight
local free_head, free_tail = 1, 0
local inflight = {}              -- post: id -> send sequence number
local seq = 0
local headers_base

ok, failed, conflicts, lost, reclaimed = 0, 0, 0, 0, 0

local ADJOURN = '{"trigger":"adjourn","data":{"next_session_at":"2099-03-05T09:00:00"}}'  -- ahead of any run
local START = '{"trigger":"start_session","data":{}}'

local function push_free(id)
   free_tail = free_tail + 1
   free[free_tail] = id
end

local function pop_free()
   if free_head > free_tail then return nil end
   local id = free[free_head]
   free[free_head] = nil
   free_head = free_head + 1
   return id
end

function init(args)
   mode, token = args[1], args[2]
   local nthreads = tonumber(args[3]) or 1
   local position = 0
   local owned = {}
   for id, version in string.gmatch(args[4] or "", "(%d+):(%d+)") do
      if position % nthreads == tid then
         table.insert(owned, {tonumber(id), tonumber(version)})
      end
      position = position + 1
   end
   headers_base = {["Host"] = wrk.host .. ":" .. tostring(wrk.port), ["Authorization"] = "Bearer " .. token}
   if mode == "ping" then
      ping_request = wrk.format("GET", "/api/v1/ping", {["Host"] = headers_base["Host"]})
      response = nil
   elseif mode == "get" then
      for i, case in ipairs(owned) do
         get_requests[i] = wrk.format("GET", "/api/v1/cases/" .. case[1], headers_base)
      end
      response = nil
   else
      for _, case in ipairs(owned) do
         cases[case[1]] = {version = case[2], in_session = true}
         push_free(case[1])
      end
   end
end

local function reclaim_oldest()
   -- Only when every owned case is in flight: an answer we could not attribute
   -- (no case id in it) left a case marked busy; take back the oldest.
   local oldest, oldest_seq = nil, nil
   for id, s in pairs(inflight) do
      if oldest_seq == nil or s < oldest_seq then oldest, oldest_seq = id, s end
   end
   reclaimed = reclaimed + 1
   return oldest
end

function request()
   if mode == "ping" then
      return ping_request
   elseif mode == "get" then
      next_get = next_get % #get_requests + 1
      return get_requests[next_get]
   end
   local id = pop_free() or reclaim_oldest()
   local case = cases[id]
   seq = seq + 1
   inflight[id] = seq
   local headers = {
      ["Host"] = headers_base["Host"],
      ["Authorization"] = headers_base["Authorization"],
      ["Content-Type"] = "application/json",
      ["If-Match"] = '"' .. case.version .. '"',
   }
   return wrk.format("POST", "/api/v1/cases/" .. id .. "/transitions", headers, case.in_session and ADJOURN or START)
end

function response(status, headers, body)
   local id, version, state
   if status >= 200 and status < 300 then
      ok = ok + 1
      id = tonumber(string.match(body, '^{"id":(%d+)'))
      local etag = headers["etag"] or headers["ETag"] or headers["Etag"]
      version = etag and tonumber(string.match(etag, "(%d+)"))
      state = string.match(body, '"state":"([^"]+)"')
   else
      failed = failed + 1
      if status == 409 then conflicts = conflicts + 1 end
      id = tonumber(string.match(body, '"case_id":(%d+)'))
      version = tonumber(string.match(body, '"current_version":(%d+)'))
      state = string.match(body, '"state":"([^"]+)"')
   end
   local case = id and cases[id]
   if case == nil or inflight[id] == nil then
      lost = lost + 1
      return
   end
   inflight[id] = nil
   if version then case.version = version end
   if state then case.in_session = (state == "mediation.in_session") end
   push_free(id)
end

function done(summary, latency, requests)
   local totals = {ok = 0, failed = 0, conflicts = 0, lost = 0, reclaimed = 0}
   for _, thread in ipairs(threads) do
      for key, _ in pairs(totals) do
         totals[key] = totals[key] + (tonumber(thread:get(key)) or 0)
      end
   end
   local e = summary.errors
   io.write(string.format(
      "WRK_RESULT requests=%d duration_us=%d status_errors=%d connect_errors=%d read_errors=%d " ..
      "write_errors=%d timeouts=%d lat_mean=%.1f lat_p50=%d lat_p90=%d lat_p99=%d lat_max=%d " ..
      "post_ok=%d post_failed=%d post_conflicts=%d post_lost=%d post_reclaimed=%d\n",
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      totals.ok, totals.failed, totals.conflicts, totals.lost, totals.reclaimed))
end
