-- A hub node says it is alive: its entry, with lastSeen from Redis's own clock, so the nodes' clocks do not matter.
-- KEYS[1] nodes hash (id -> JSON)   ARGV: id, JSON of the node
local t = redis.call('TIME')
local node = cjson.decode(ARGV[2])
node['lastSeen'] = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(node))
return 0
