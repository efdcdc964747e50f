-- Creates or replaces one check definition and bumps the revision of the set, atomically.
-- KEYS[1] checks hash   KEYS[2] revision string   ARGV: name, definition JSON
-- Returns {1 if it was new, the new revision}.

local created = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local revision = redis.call('INCR', KEYS[2])
return {created == 1 and 0 or 1, revision}
