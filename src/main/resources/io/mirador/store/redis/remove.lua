-- Forgets one agent: registry, counters, seq ranges, latest values, check results and its point buckets within
-- the window (older buckets hold only expired points and go by their TTL).
-- KEYS[1] agents zset   KEYS[2] agent hash   KEYS[3] seq zset   KEYS[4] latest hash   KEYS[5] results hash
-- KEYS[6..] the agent's point buckets from the window's start to its furthest future
-- ARGV: agentId   Returns 1 when the agent was known, else 0.

local known = redis.call('EXISTS', KEYS[2])
for i = 2, #KEYS, 1000 do
  redis.call('UNLINK', unpack(KEYS, i, math.min(i + 999, #KEYS)))
end
redis.call('ZREM', KEYS[1], ARGV[1])
return known
