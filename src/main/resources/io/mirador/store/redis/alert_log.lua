-- The notification log: fenced, then the group's entry set and one record appended to each alert's list (kept to
-- the last ARGV[4]), all in one atomic step.
-- KEYS[1] the alert lease hash   KEYS[2] log hash   KEYS[3] notification records hash
-- ARGV[1] fence token   ARGV[2] log field   ARGV[3] entry JSON   ARGV[4] records kept per alert
-- then pairs (fingerprint, record JSON)
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local keep = tonumber(ARGV[4])
for i = 5, #ARGV, 2 do
  local fingerprint = ARGV[i]
  local list = redis.call('HGET', KEYS[3], fingerprint)
  local records = {}
  if list then
    records = cjson.decode(list)
  end
  table.insert(records, cjson.decode(ARGV[i + 1]))
  while #records > keep do
    table.remove(records, 1)
  end
  redis.call('HSET', KEYS[3], fingerprint, cjson.encode(records))
end
return 1
