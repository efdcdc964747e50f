-- Whether a fence still holds: the lease is unexpired and has exactly this token (see RedisLeases.FENCE_CHECK_LUA,
-- the same test as the one a fenced write makes before writing).
-- KEYS[1] lease hash   ARGV: token
-- Returns 1 or 0.

if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return 1
end
return 0
