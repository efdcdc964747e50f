-- A new job, written by the API (no fence: the id is new): its header, its targets, indexed by creation time and
-- marked open; beyond ARGV[3] jobs, the oldest ended ones are removed with their targets.
-- KEYS[1] headers hash   KEYS[2] index zset   KEYS[3] open set   KEYS[4] the job's targets hash   KEYS[5] cancels set
-- ARGV[1] id   ARGV[2] created at   ARGV[3] most jobs kept   ARGV[4] header JSON   then pairs (agent, target JSON)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
end
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if excess > 0 then
  local prefix = string.sub(KEYS[4], 1, #KEYS[4] - #ARGV[1])
  for _, old in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do
    if redis.call('SISMEMBER', KEYS[3], old) == 0 then
      redis.call('ZREM', KEYS[2], old)
      redis.call('HDEL', KEYS[1], old)
      redis.call('SREM', KEYS[5], old)
      redis.call('DEL', prefix .. old)
    end
  end
end
return 1
