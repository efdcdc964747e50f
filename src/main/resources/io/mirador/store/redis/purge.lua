-- Forgets the series of one agent whose newest point is older than the cutoff (they have no point left).
-- KEYS[1] latest hash (series field -> "ts value")   ARGV: cutoff (epoch ms)   Returns how many were forgotten.
local cutoff = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local expired = {}
for i = 1, #all, 2 do
  if all[i] ~= '#' and tonumber(string.match(all[i + 1], '^%-?%d+')) < cutoff then
    expired[#expired + 1] = all[i]
  end
end
for c = 1, #expired, 1000 do
  redis.call('HDEL', KEYS[1], unpack(expired, c, math.min(c + 999, #expired)))
end
return #expired
