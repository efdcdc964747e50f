-- Extends a lease by ttl from now, only while it is still held by this owner with this token.
-- KEYS[1] lease hash   ARGV: owner, token, ttl ms
-- Returns 1 when extended, 0 when the lease lapsed or another owner (or another token of this owner) holds it.

local held = redis.call('HMGET', KEYS[1], 'owner', 'token')
if held[1] == ARGV[1] and held[2] == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0
