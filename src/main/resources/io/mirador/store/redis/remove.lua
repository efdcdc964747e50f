-- Forgets one agent: registry, counters, seq ranges, latest values, check results and the point buckets of its
-- series within the window (older buckets hold only expired points and go by their TTL).
-- KEYS[1] agents zset   KEYS[2] agent hash   KEYS[3] seq zset   KEYS[4] latest hash   KEYS[5] results hash
-- ARGV: agentId, point key prefix of the agent, first bucket, last bucket
-- Returns 1 when the agent was known, else 0.

local known = redis.call('EXISTS', KEYS[2])
local first, last = tonumber(ARGV[3]), tonumber(ARGV[4])
local doomed = {}
for _, field in ipairs(redis.call('HKEYS', KEYS[4])) do
  for bucket = first, last do
    doomed[#doomed + 1] = ARGV[2] .. string.format('%.0f', bucket) .. ':' .. field
    if #doomed == 1000 then
      redis.call('UNLINK', unpack(doomed))
      doomed = {}
    end
  end
end
if #doomed > 0 then
  redis.call('UNLINK', unpack(doomed))
end
redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('ZREM', KEYS[1], ARGV[1])
return known
