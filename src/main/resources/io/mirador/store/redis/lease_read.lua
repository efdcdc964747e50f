-- Reads leases at one instant of Redis's clock.
-- KEYS: lease hashes   ARGV: none
-- Returns {now, then per key: owner, token, since, ms left}, with owner '' for a lease nobody holds.

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local out = {now}
for _, key in ipairs(KEYS) do
  local held = redis.call('HMGET', key, 'owner', 'token', 'since')
  local left = redis.call('PTTL', key)
  if held[1] and held[2] and held[3] and left > 0 then
    out[#out + 1] = held[1]
    out[#out + 1] = held[2]
    out[#out + 1] = held[3]
    out[#out + 1] = left
  else
    out[#out + 1] = ''
    out[#out + 1] = '0'
    out[#out + 1] = '0'
    out[#out + 1] = 0
  end
end
return out
