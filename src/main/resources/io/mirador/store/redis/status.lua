-- Records the liveness the heartbeat verticle judged, for a known agent only.
-- KEYS[1] agent hash   ARGV: status, since (epoch ms)
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'status', ARGV[1], 'statusSince', ARGV[2])
end
return 0
