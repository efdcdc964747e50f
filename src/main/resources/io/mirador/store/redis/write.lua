-- Applies one event, atomically: admits (agent, seq) once, then writes the registry, the latest values and the
-- points of the batch. One EVALSHA per event. See docs/REDIS.md.
--
-- KEYS[1] agents zset   KEYS[2] agent hash   KEYS[3] missing seq ranges zset (member = last, score = first)
-- KEYS[4] latest hash (series field -> "ts value"; also the series index)   KEYS[5] check results hash
-- KEYS[6..] point bucket strings, one per (series, bucket) in the order ARGV lists them
--
-- ARGV: agentId seq receivedAt cutoff maxSeries maxGapRanges maxBucketBytes
--       nInfo     {field value} * nInfo                      registry fields of a register/heartbeat
--       nResults  {check executed json} * nResults
--       nSeries   {field ts "ts value" nBuckets {expireAt payload points} * nBuckets} * nSeries
--
-- Returns {admitted (1 accepted, 0 duplicate), series rejected, points dropped, missing seqs forgotten}

local function int(n)
  return string.format('%.0f', n)
end

local function tsOf(latest)
  return tonumber(string.match(latest, '^%-?%d+'))
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
if seq > lastSeq then
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

-- 4. Samples: latest values (one HMGET, one HSET for the batch) and one APPEND per series and bucket.
local nSeries = tonumber(ARGV[at])
at = at + 1
local rejected, dropped = 0, 0
if nSeries > 0 then
  local series, fields = {}, {}
  for s = 1, nSeries do
    local nBuckets = tonumber(ARGV[at + 3])
    series[s] = {ts = tonumber(ARGV[at + 1]), latest = ARGV[at + 2], nBuckets = nBuckets, at = at + 4}
    fields[s] = ARGV[at]
    at = at + 4 + 3 * nBuckets
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
  local count = nil
  local function purge()
    local lastCutoff = tonumber(redis.call('HGET', KEYS[2], 'purgeCutoff'))
    if lastCutoff and cutoff - lastCutoff < 60000 then
      return 0
    end
    redis.call('HSET', KEYS[2], 'purgeCutoff', int(cutoff))
    local all = redis.call('HGETALL', KEYS[4])
    local expired = {}
    for p = 1, #all, 2 do
      if tsOf(all[p + 1]) < cutoff then
        expired[#expired + 1] = all[p]
      end
    end
    for c = 1, #expired, 1000 do
      redis.call('HDEL', KEYS[4], unpack(expired, c, math.min(c + 999, #expired)))
    end
    return #expired
  end

  local latest = {}
  local key = 6
  for s = 1, nSeries do
    local entry, cur = series[s], current[s]
    local live = cur and tsOf(cur) >= cutoff
    local admitted = true
    if not live then
      if count == nil then
        count = redis.call('HLEN', KEYS[4])
      end
      if count >= maxSeries then
        count = count - purge()
      end
      if count >= maxSeries then
        admitted = false
      elseif not cur then
        count = count + 1
      end
    end
    if admitted then
      if not live or entry.ts >= tsOf(cur) then
        latest[#latest + 1] = fields[s]
        latest[#latest + 1] = entry.latest
      end
      local a = entry.at
      for _ = 1, entry.nBuckets do
        local bucket, payload = KEYS[key], ARGV[a + 1]
        local length = redis.call('APPEND', bucket, payload)
        if length == #payload then
          redis.call('PEXPIREAT', bucket, ARGV[a])
        end
        if length > maxBucketBytes then
          dropped = dropped + tonumber(ARGV[a + 2])
          local before = length - #payload
          if before == 0 then
            redis.call('DEL', bucket)
          else
            redis.call('SET', bucket, redis.call('GETRANGE', bucket, 0, before - 1), 'KEEPTTL')
          end
        end
        a = a + 3
        key = key + 1
      end
    else
      rejected = rejected + 1
      key = key + entry.nBuckets
    end
  end
  chunked('HSET', KEYS[4], latest)
end

return {1, rejected, dropped, forgotten}
