-- Takes a lease that nobody holds (or that lapsed) with a new fencing token, or renews it for the owner holding it.
-- KEYS[1] lease hash {owner, token, since}   KEYS[2] token counter (never expires)   KEYS[3] set of lease names
-- ARGV: name, owner, ttl ms
-- Returns {1, owner, token, since, expiresAt} when the caller holds it now, {0} when another owner does.
-- Times are Redis's own (TIME), so the clocks of the hubs do not matter; the hash lapses with PEXPIRE.

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[3])
local held = redis.call('HMGET', KEYS[1], 'owner', 'token', 'since')
if held[1] then
  if held[1] ~= ARGV[2] then
    return {0}
  end
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {1, held[1], held[2], held[3], now + ttl}
end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'token', token, 'since', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SADD', KEYS[3], ARGV[1])
return {1, ARGV[2], token, now, now + ttl}
