-- A job's progress, written by the owner of the sched lease only: fenced, then the header (when given) and the changed
-- targets set in one atomic step; an ended job leaves the open set and the cancel requests.
-- KEYS[1] the sched lease hash   KEYS[2] headers hash   KEYS[3] the job's targets hash   KEYS[4] open set   KEYS[5] cancels set
-- ARGV[1] fence token   ARGV[2] id   ARGV[3] header JSON or ''   ARGV[4] '1' when the job ended   then pairs (agent, target JSON)
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
  return 0
end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
end
if ARGV[4] == '1' then
  redis.call('SREM', KEYS[4], ARGV[2])
  redis.call('SREM', KEYS[5], ARGV[2])
end
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
return 1
