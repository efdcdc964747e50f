-- Alert states, written by the owner of alert evaluation only: fenced, then changed states set and forgotten ones
-- removed with their notification records, all in one atomic step.
-- KEYS[1] the alert lease hash   KEYS[2] states hash   KEYS[3] notification records hash
-- ARGV[1] fence token   ARGV[2] n changed   then n pairs (fingerprint, state JSON)   then the removed fingerprints
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
  return 0
end
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  redis.call('HSET', KEYS[2], ARGV[3 + 2 * i], ARGV[4 + 2 * i])
end
for i = 3 + 2 * n, #ARGV do
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
end
return 1
