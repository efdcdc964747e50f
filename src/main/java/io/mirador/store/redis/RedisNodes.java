package io.mirador.store.redis;

import io.mirador.hub.cluster.HubNode;
import io.mirador.hub.cluster.NodeStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Hub nodes in one hash, {@code <prefix>nodes}: id → the node's JSON with {@code lastSeen} from Redis's clock. */
public final class RedisNodes implements NodeStore {

  private static final LuaScript BEAT = LuaScript.load("node_beat");
  private static final LuaScript LIST = LuaScript.load("node_list");

  private final Redis redis;
  private final String key;

  public RedisNodes(Redis redis, String prefix) {
    this.redis = redis;
    this.key = new RedisKeys(prefix).nodes();
  }

  @Override
  public Future<Void> beat(HubNode node) {
    return BEAT.run(redis, List.of(key), List.of(node.id(), node.toJson().encode())).mapEmpty();
  }

  @Override
  public Future<Nodes> nodes() {
    return LIST.run(redis, List.of(key), List.of(Long.toString(FORGET_AFTER_MS))).map(reply -> {
      long now = reply.get(0).toLong();
      List<HubNode> nodes = new ArrayList<>();
      for (Response json : reply.get(1)) {
        nodes.add(HubNode.fromJson(new JsonObject(json.toString())));
      }
      nodes.sort(Comparator.comparing(HubNode::upSince).thenComparing(HubNode::id));
      return new Nodes(now, nodes);
    });
  }

  @Override
  public Future<Void> remove(String nodeId) {
    return redis.send(Request.cmd(Command.HDEL, key, nodeId)).mapEmpty();
  }
}
