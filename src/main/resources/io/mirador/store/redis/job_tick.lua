-- A schedule ran at a tick: fenced, and only forward (a tick at or before the recorded one is refused), so a tick
-- runs once in the cluster.
-- KEYS[1] the sched lease hash   KEYS[2] ticks hash   ARGV[1] fence token   ARGV[2] schedule   ARGV[3] tick (epoch ms)
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
  return 0
end
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if last >= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
