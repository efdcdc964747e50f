-- Removes one check definition; only a real removal bumps the revision.
-- KEYS[1] checks hash   KEYS[2] revision string   ARGV: name
-- Returns {1 if it existed, the revision after}.

local removed = redis.call('HDEL', KEYS[1], ARGV[1])
local revision
if removed == 1 then
  revision = redis.call('INCR', KEYS[2])
else
  revision = tonumber(redis.call('GET', KEYS[2]) or '0')
end
return {removed, revision}
