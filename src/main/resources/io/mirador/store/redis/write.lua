-- Applies one event, atomically: admits (agent, seq) once, then writes the registry, the latest values and the
-- points of the batch. One EVALSHA per event. See docs/REDIS.md.
--
-- KEYS[1] agents zset   KEYS[2] agent hash   KEYS[3] missing seq ranges zset (member = last, score = first)
-- KEYS[4] latest hash (series field -> "ts value"; also the series index; '#' is no series)
-- KEYS[5] check results hash   KEYS[6..5+nBuckets] the agent's point buckets this batch touches
--
-- ARGV: agentId seq receivedAt cutoff maxSeries maxGapRanges maxBucketBytes
--       nInfo     {field value} * nInfo                      registry fields of a register/heartbeat
--       nResults  {check executed json} * nResults
--       nSeries   {field "ts value"} * nSeries  ids (the nSeries 8-character ids, concatenated)
--       nBuckets  {expireAt payload} * nBuckets
--
-- A payload is what the batch appends to a bucket: groups "offset:id,value;id,value;|", one per timestamp, offset in
-- ms from the bucket's start, id the series' 8-character hash. The client builds it whole, so that a batch in seq
-- order costs no Lua work per sample: one HSET of the latest values and one APPEND per bucket.
--
-- Returns {admitted (1 accepted, 0 duplicate), series rejected, points dropped, missing seqs forgotten}

local function int(n)
  return string.format('%.0f', n)
end

-- the timestamp that starts "ts value" and "executed json"
local function tsOf(text)
  return tonumber(string.match(text, '^%-?%d+'))
end

-- HSET of a range of ARGV (field, value pairs), in chunks
local function hsetRange(key, from, to)
  for i = from, to, 1000 do
    redis.call('HSET', key, unpack(ARGV, i, math.min(i + 999, to)))
  end
end

-- Lua's unpack has a stack limit: big argument lists go in chunks.
local function chunked(command, key, args)
  for i = 1, #args, 1000 do
    redis.call(command, key, unpack(args, i, math.min(i + 999, #args)))
  end
end

local agentId, seq, receivedAt = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local cutoff, maxSeries = tonumber(ARGV[4]), tonumber(ARGV[5])
local maxRanges, maxBucketBytes = tonumber(ARGV[6]), tonumber(ARGV[7])

-- 1. Admission: exactly once per (agent, seq), gaps as ranges.
local state = redis.call('HMGET', KEYS[2], 'lastSeq', 'received', 'gaps', 'lastSeen', 'registeredAt')
local lastSeq = tonumber(state[1]) or 0
local gaps = tonumber(state[3]) or 0
local rangesGrew = false
local inOrder = seq > lastSeq
if inOrder then
  if seq > lastSeq + 1 then
    redis.call('ZADD', KEYS[3], int(lastSeq + 1), int(seq - 1))
    gaps = gaps + seq - lastSeq - 1
    rangesGrew = true
  end
  lastSeq = seq
else
  local range = redis.call('ZREVRANGEBYSCORE', KEYS[3], ARGV[2], '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  local last = tonumber(range[1])
  if last == nil or last < seq then
    redis.call('HINCRBY', KEYS[2], 'duplicates', 1)
    return {0, 0, 0, 0}
  end
  local first = tonumber(range[2])
  redis.call('ZREM', KEYS[3], range[1])
  if first < seq then
    redis.call('ZADD', KEYS[3], int(first), int(seq - 1))
  end
  if seq < last then
    redis.call('ZADD', KEYS[3], int(seq + 1), int(last))
    rangesGrew = first < seq
  end
  gaps = gaps - 1
end

local forgotten = 0
if rangesGrew then
  local excess = redis.call('ZCARD', KEYS[3]) - maxRanges
  if excess > 0 then
    local popped = redis.call('ZPOPMIN', KEYS[3], excess)
    for i = 1, #popped, 2 do
      forgotten = forgotten + tonumber(popped[i]) - tonumber(popped[i + 1]) + 1
    end
  end
end

-- 2. Registry and counters, in one HSET.
local registry = {'lastSeq', int(lastSeq), 'received', int((tonumber(state[2]) or 0) + 1), 'gaps', int(gaps)}
local function put(field, value)
  registry[#registry + 1] = field
  registry[#registry + 1] = value
end
if not state[5] then
  put('registeredAt', receivedAt)
  put('hostname', agentId)
  put('status', 'up')
  put('statusSince', receivedAt)
  put('duplicates', '0')
end
if not state[4] or tonumber(receivedAt) > tonumber(state[4]) then
  put('lastSeen', receivedAt)
  redis.call('ZADD', KEYS[1], receivedAt, agentId)
end
local at = 8
local nInfo = tonumber(ARGV[at])
at = at + 1
for _ = 1, nInfo do
  put(ARGV[at], ARGV[at + 1])
  at = at + 2
end
chunked('HSET', KEYS[2], registry)

-- 3. Check results: the newest by execution time wins.
local nResults = tonumber(ARGV[at])
at = at + 1
for _ = 1, nResults do
  local check, executed = ARGV[at], ARGV[at + 1]
  local kept = redis.call('HGET', KEYS[5], check)
  if not kept or tonumber(executed) >= tsOf(kept) then
    redis.call('HSET', KEYS[5], check, executed .. ' ' .. ARGV[at + 2])
  end
  at = at + 3
end

-- 4. Samples.
local nSeries = tonumber(ARGV[at])
local pairsAt, idsAt = at + 1, at + 1 + 2 * nSeries
at = idsAt + 1
local nBuckets = tonumber(ARGV[at])
local bucketsAt = at + 1
local rejected, dropped = 0, 0

local function append(b, payload)
  local bucket = KEYS[5 + b]
  local length = redis.call('APPEND', bucket, payload)
  if length == #payload then
    redis.call('PEXPIREAT', bucket, ARGV[bucketsAt + 2 * (b - 1)])
  end
  if length > maxBucketBytes then
    -- full: this batch's points of the bucket do not go in (the bucket keeps what it had)
    local _, points = string.gsub(payload, ';', ';')
    dropped = dropped + points
    local before = length - #payload
    if before == 0 then
      redis.call('DEL', bucket)
    else
      redis.call('SET', bucket, redis.call('GETRANGE', bucket, 0, before - 1), 'KEEPTTL')
    end
  end
end

if nSeries > 0 then
  -- A field '#' with a value longer than 64 bytes keeps the hash in Redis's hashtable encoding: as a listpack (the
  -- encoding of hashes under 128 small fields) every field lookup is a scan, and an HSET of 100 series costs ten
  -- times more.
  redis.call('HSETNX', KEYS[4], '#', 'not a series: keeps this hash in the hashtable encoding (docs/REDIS.md)')
  local known = redis.call('HLEN', KEYS[4]) - 1

  if inOrder and known + nSeries <= maxSeries then
    -- The usual case: the agent's newest event, and no room for doubt about the series bound. Its values are the
    -- newest of their series, so they are written as they are, and the payloads as the client made them.
    hsetRange(KEYS[4], pairsAt, idsAt - 1)
    for b = 1, nBuckets do
      append(b, ARGV[bucketsAt + 2 * b - 1])
    end
  else
    -- A late event (it fills a gap) or an agent near its series bound: look at what is stored, series by series.
    local fields = {}
    for s = 1, nSeries do
      fields[s] = ARGV[pairsAt + 2 * (s - 1)]
    end
    local current = {}
    for c = 1, nSeries, 1000 do
      local part = redis.call('HMGET', KEYS[4], unpack(fields, c, math.min(c + 999, nSeries)))
      for k = 1, #part do
        current[c + k - 1] = part[k]
      end
    end

    -- Series whose newest point left the window are forgotten when the bound is reached, at most once a minute
    -- (the cutoff moves with the clock: the last one used tells when the last purge ran). Returns how many went.
    local function purge()
      local lastCutoff = tonumber(redis.call('HGET', KEYS[2], 'purgeCutoff'))
      if lastCutoff and cutoff - lastCutoff < 60000 then
        return 0
      end
      redis.call('HSET', KEYS[2], 'purgeCutoff', int(cutoff))
      local all = redis.call('HGETALL', KEYS[4])
      local expired = {}
      for p = 1, #all, 2 do
        if all[p] ~= '#' and tsOf(all[p + 1]) < cutoff then
          expired[#expired + 1] = all[p]
        end
      end
      for c = 1, #expired, 1000 do
        redis.call('HDEL', KEYS[4], unpack(expired, c, math.min(c + 999, #expired)))
      end
      return #expired
    end

    local latest, refused = {}, {}
    for s = 1, nSeries do
      local cur = current[s]
      local curTs = cur and tsOf(cur)
      local live = cur and curTs >= cutoff
      local admitted = true
      if not live then
        if known >= maxSeries then
          known = known - purge()
        end
        if known >= maxSeries then
          admitted = false
        elseif not cur then
          known = known + 1
        end
      end
      if admitted then
        local newest = ARGV[pairsAt + 2 * s - 1]
        if not live or tsOf(newest) >= curTs then
          latest[#latest + 1] = fields[s]
          latest[#latest + 1] = newest
        end
      else
        rejected = rejected + 1
        refused[#refused + 1] = string.sub(ARGV[idsAt], 8 * s - 7, 8 * s)
      end
    end
    for c = 1, #latest, 1000 do
      redis.call('HSET', KEYS[4], unpack(latest, c, math.min(c + 999, #latest)))
    end
    for b = 1, nBuckets do
      local payload = ARGV[bucketsAt + 2 * b - 1]
      for _, id in ipairs(refused) do
        -- ids are [A-Za-z0-9_-]: only '-' is magic in a pattern
        payload = string.gsub(payload, '([:;])' .. string.gsub(id, '%-', '%%-') .. ',[^;]*;', '%1')
      end
      append(b, payload)
    end
  end
end

return {1, rejected, dropped, forgotten}
