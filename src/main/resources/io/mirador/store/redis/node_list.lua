-- Every node seen within ARGV[1] ms, and Redis's now to judge them by; older entries are forgotten.
-- KEYS[1] nodes hash (id -> JSON)   ARGV: forgetAfterMs
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local all = redis.call('HGETALL', KEYS[1])
local kept = {}
for i = 1, #all, 2 do
  local ok, node = pcall(cjson.decode, all[i + 1])
  if ok and type(node) == 'table' and tonumber(node['lastSeen']) and now - tonumber(node['lastSeen']) <= tonumber(ARGV[1]) then
    kept[#kept + 1] = all[i + 1]
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return {tostring(now), kept}
