-- Compare-and-set of an agent's liveness, fenced: only the owner of the sweep lease, and only from the status the
-- caller saw, may change it, so each change is made (and announced) once however many sweepers judge the agent.
-- KEYS[1] agent hash   KEYS[2] the fence's lease hash (any key when unfenced)
-- ARGV: from, to, since (epoch ms), fence token ('' = unfenced)
-- Returns 'applied', 'conflict', 'unknown' or 'fenced'.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'unknown'
end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[2], 'token') ~= ARGV[4] then
  return 'fenced'
end
local status = redis.call('HGET', KEYS[1], 'status')
if (status or 'up') ~= ARGV[1] then
  return 'conflict'
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'statusSince', ARGV[3])
return 'applied'
