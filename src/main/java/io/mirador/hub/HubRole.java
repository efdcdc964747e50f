package io.mirador.hub;

import io.mirador.hub.alert.AlertVerticle;
import io.mirador.hub.channel.ChannelVerticle;
import io.mirador.hub.checks.ChecksVerticle;
import io.mirador.hub.engine.EngineVerticle;
import io.mirador.hub.heartbeat.HeartbeatVerticle;
import io.mirador.hub.sched.SchedVerticle;
import io.mirador.hub.web.WebVerticle;
import io.vertx.core.Deployable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Every hub role, in one place: its name (for {@code --roles} and {@code hub.roles}), its verticle, what it does, and
 * whether Vert.x HA redeploys it on a survivor when its node dies. Declared in start order: the channel last, so
 * nothing is consumed before it can be stored.
 */
public enum HubRole {
  ENGINE(EngineVerticle.class, true, "stores what agents send, exactly once per (agent, seq)"),
  HEARTBEAT(HeartbeatVerticle.class, true, "judges agents up / stale / down (one owner in the cluster)"),
  ALERT(AlertVerticle.class, true, "evaluates alert rules and sends notifications (one owner in the cluster)"),
  CHECKS(ChecksVerticle.class, true, "pushes each agent its check assignment (one owner in the cluster)"),
  SCHED(SchedVerticle.class, true, "drives remote jobs, schedules and remediation (one owner in the cluster)"),
  // not redeployed elsewhere: a web verticle serves its own node's address and port, and a copy on a survivor would
  // hold that port when the node comes back on the same host
  WEB(WebVerticle.class, false, "REST API, /metrics, the dashboard and its live feed"),
  CHANNEL(ChannelVerticle.class, true, "consumes agent events from the transport, acks once stored");

  private final Class<? extends Deployable> verticle;
  private final boolean ha;
  private final String description;

  HubRole(Class<? extends Deployable> verticle, boolean ha, String description) {
    this.verticle = verticle;
    this.ha = ha;
    this.description = description;
  }

  public String roleName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public Class<? extends Deployable> verticle() {
    return verticle;
  }

  /** Whether Vert.x HA (clustered hubs) redeploys this role on a surviving node when its node dies. */
  public boolean ha() {
    return ha;
  }

  public String description() {
    return description;
  }

  /** The role of that name; an unknown one is refused with the list of the known. */
  public static HubRole named(String name) {
    for (HubRole role : values()) {
      if (role.roleName().equals(name)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown hub role '" + name + "' (known: " + names() + ")");
  }

  /** The known roles, comma-separated, in start order. */
  public static String names() {
    return Arrays.stream(values()).map(HubRole::roleName).collect(Collectors.joining(","));
  }

  public static List<String> all() {
    return Arrays.stream(values()).map(HubRole::roleName).toList();
  }
}
