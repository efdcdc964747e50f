-- Gives a lease up at once, only while it is still held by this owner with this token; the token counter stays.
-- KEYS[1] lease hash   ARGV: owner, token
-- Returns 1 when released, 0 when it was no longer held that way.

local held = redis.call('HMGET', KEYS[1], 'owner', 'token')
if held[1] == ARGV[1] and held[2] == ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
