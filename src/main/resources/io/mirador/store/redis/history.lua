-- Appends one status to the history of a check on an agent and returns the history, oldest first.
-- The history is a string of digits (statuses are 0..3), one hash field per check: one key per agent, read with one
-- HGETALL, gone with the agent.
-- KEYS[1] history hash   ARGV: check, status, how many statuses to keep

local kept = redis.call('HGET', KEYS[1], ARGV[1]) or ''
local history = kept .. ARGV[2]
local max = tonumber(ARGV[3])
if #history > max then
  history = string.sub(history, #history - max + 1)
end
redis.call('HSET', KEYS[1], ARGV[1], history)
return history
