package io.mirador;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.mirador.agent.AgentChannelVerticle;
import io.mirador.agent.AgentCheckVerticle;
import io.mirador.agent.AgentEngineVerticle;
import io.mirador.agent.AgentHeartbeatVerticle;
import io.mirador.agent.AgentIdentity;
import io.mirador.agent.AgentMonitorVerticle;
import io.mirador.config.ConfigLoader;
import io.mirador.config.Settings;
import io.mirador.config.TlsSettings;
import io.mirador.hub.HubConfig;
import io.mirador.hub.HubRole;
import io.mirador.hub.HubRoleFactory;
import io.mirador.hub.cluster.HubNode;
import io.mirador.hub.cluster.LocalNode;
import io.mirador.hub.cluster.NodePresence;
import io.mirador.hub.events.HubEvent;
import io.mirador.hub.security.AuthSettings;
import io.mirador.hub.security.FirstStart;
import io.mirador.hub.web.HttpTls;
import io.mirador.hub.web.WebVerticle;
import io.mirador.metrics.EventLoopLagProbe;
import io.mirador.metrics.Meters;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.store.Stores;
import io.mirador.transport.Transports;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Mirador process: a Vert.x instance (clustered or not) with the hub verticles, the agent
 * verticles, or both (standalone). Every verticle is deployed by name, with the whole configuration, so Vert.x
 * HA can redeploy it on another node.
 */
public final class Mirador {

  private static final Logger LOG = LoggerFactory.getLogger(Mirador.class);

  /** Agent verticles in start order: the channel before anything that sends through it. */
  private static final List<Class<? extends Deployable>> AGENT_VERTICLES = List.of(
      AgentEngineVerticle.class, AgentCheckVerticle.class, AgentChannelVerticle.class, AgentHeartbeatVerticle.class,
      AgentMonitorVerticle.class);

  /** The Vert.x HA group of hub nodes (Vert.x's default) and that of agents, which hub roles never fail over to. */
  public static final String HUB_HA_GROUP = VertxOptions.DEFAULT_HA_GROUP;
  public static final String AGENT_HA_GROUP = "mirador-agents";

  public enum Mode {
    STANDALONE(true, true), HUB(true, false), AGENT(false, true);

    final boolean hub;
    final boolean agent;

    Mode(boolean hub, boolean agent) {
      this.hub = hub;
      this.agent = agent;
    }
  }

  private final Vertx vertx;
  private final EventLoopLagProbe lagProbe;
  private final List<String> deployments = new ArrayList<>();
  private String agentId;
  private int httpPort = -1;
  private NodePresence presence;

  private Mirador(Vertx vertx) {
    this.vertx = vertx;
    this.lagProbe = new EventLoopLagProbe(vertx, Meters.of(vertx));
  }

  /** Loads the configuration layers (see {@link ConfigLoader}), then starts. */
  public static Future<Mirador> start(Mode mode, Path confFile, Map<String, String> env, JsonObject commandLine) {
    Vertx loader = Vertx.vertx();
    // continue off the loader's event loop: it goes away with the loader, and a new Vertx is best made outside one
    return Future.fromCompletionStage(ConfigLoader.load(loader, confFile, env, commandLine).toCompletionStage()
            .thenApplyAsync(config -> config))
        .compose(config -> launch(mode, config))
        .eventually(loader::close);
  }

  /** Starts on the defaults of conf/mirador.yaml with {@code overrides} on top, ignoring the environment (tests). */
  public static Future<Mirador> start(Mode mode, JsonObject overrides) {
    return start(mode, null, Map.of(), overrides);
  }

  private static Future<Mirador> launch(Mode mode, JsonObject config) {
    JsonObject cluster = Settings.section(config, "cluster");
    Future<Vertx> vertx = cluster.getBoolean("enabled", false) ? clustered(cluster, mode.hub) : Future.succeededFuture(Vertx.vertx());
    return vertx.compose(v -> {
      Mirador mirador = new Mirador(v);
      return mirador.deploy(mode, config.copy())
          .map(mirador)
          .recover(failure -> mirador.close().transform(closed -> Future.failedFuture(failure)));
    });
  }

  public Vertx vertx() { return vertx; }

  /** The port the web verticle listens on, or -1 when this process runs no web role. */
  public int httpPort() { return httpPort; }

  /** The id of this process's agent, or null when it runs none. */
  public String agentId() { return agentId; }

  /** This process's hub node (id, roles, port), or null when it runs no hub. */
  public HubNode node() {
    return presence == null ? null : LocalNode.of(vertx);
  }

  public Future<Void> close() {
    lagProbe.stop();
    Future<Void> leaving = presence == null ? Future.succeededFuture() : presence.stop();
    // told on a future of no context: Vert.x completes its close once its event loops are gone, so a future bound to
    // one of them (the store's answer to leaving is) would never tell anyone, and a SIGTERM would wait out its bound
    Promise<Void> closed = Promise.promise();
    leaving.onComplete(left -> vertx.close().onComplete(closed));
    return closed.future();
  }

  private Future<Void> deploy(Mode mode, JsonObject config) {
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
    HubEvent.registerCodecs(vertx.eventBus());
    lagProbe.start();
    boolean ha = vertx.isClustered();
    if (mode.hub) {
      vertx.registerVerticleFactory(new HubRoleFactory());
    }
    // composed onto a future of no context, like every step below: when start-up fails this Vert.x instance is
    // closed, and the outcome must not wait for one of its event loops
    Future<Void> chain = Future.<Void>succeededFuture().compose(ready -> loadTls(mode, config));
    if (mode.hub) {
      JsonObject hub = Settings.section(config, "hub");
      List<HubRole> roles;
      try {
        roles = hub.getJsonArray("roles", new JsonArray(HubRole.all())).stream().map(String::valueOf).map(String::strip)
            .map(HubRole::named).distinct().sorted().toList();
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new IllegalArgumentException("hub.roles: " + e.getMessage(), e));
      }
      AuthSettings auth;
      try {
        auth = AuthSettings.of(config, mode == Mode.HUB);
        HttpTls.of(Settings.section(config, "http"));
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
      String refusal = auth.refusal(mode == Mode.HUB, Settings.section(config, "http").getString("host", "127.0.0.1"));
      if (refusal != null) {
        return Future.failedFuture(new IllegalStateException(refusal));
      }
      // every hub verticle reads the decision, not the rules it was made by; the first admin token stays here, out
      // of the configuration every verticle (and Vert.x HA, across the cluster) is handed
      ConfigLoader.set(config, auth.enabled(), "auth", "enabled");
      Settings.section(config, "auth").remove("adminToken");
      String nodeId = ha ? ((io.vertx.core.internal.VertxInternal) vertx).clusterManager().getNodeId() : java.util.UUID.randomUUID().toString();
      String address = ha ? Settings.section(config, "cluster").getString("host", "127.0.0.1") : Settings.section(config, "http").getString("host", "127.0.0.1");
      long now = System.currentTimeMillis();
      LocalNode.set(vertx, new HubNode(nodeId, address, -1, roles.stream().map(HubRole::roleName).toList(), now, now));
      for (HubRole role : roles) {
        int instances = Settings.positiveInt(Settings.section(hub, "instances"), role.roleName(), 1);
        String name = HubRoleFactory.name(role, nodeId);
        chain = chain.compose(ready -> deploy(name, role.verticle().getSimpleName(), config, ha && role.ha(), instances).map(id -> {
          if (role == HubRole.WEB) {
            httpPort = WebVerticle.boundPort(vertx, id);
            HubNode node = LocalNode.of(vertx);
            LocalNode.set(vertx, new HubNode(node.id(), node.address(), httpPort, node.roles(), node.upSince(), node.lastSeen()));
          }
          return null;
        }));
      }
      if (roles.contains(HubRole.WEB) && auth.enabled()) {
        chain = chain.compose(ready -> FirstStart.run(vertx, Stores.shared(vertx, config).security(), auth, nodeId).mapEmpty());
      }
      chain = chain.compose(ready -> {
        presence = new NodePresence(vertx, io.mirador.store.Stores.shared(vertx, config).nodes(), HubConfig.of(config).nodeBeatMs());
        return presence.start();
      });
    }
    if (mode == Mode.STANDALONE) {
      // the agent shares this JVM with the in-memory store: a kill loses the store with it, so a write-ahead
      // spool would cost fsyncs and protect nothing
      ConfigLoader.set(config, false, "agent", "spool", "writeAhead");
      // bound to loopback, whoever may call the API owns the machine already: jobs are on unless turned off
      if (Settings.section(config, "hub", "jobs").getValue("enabled") == null) {
        ConfigLoader.set(config, true, "hub", "jobs", "enabled");
      }
    }
    if (mode.agent) {
      Path dataDir = Path.of(Settings.section(config, "agent").getString("dataDir", "data"));
      chain = chain
          .compose(ready -> vertx.executeBlocking(() -> AgentIdentity.loadOrCreate(dataDir)))
          .compose(id -> {
            agentId = id;
            ConfigLoader.set(config, id, "agent", "id");
            Future<Void> agentChain = Future.succeededFuture();
            for (Class<? extends Deployable> verticle : AGENT_VERTICLES) {
              agentChain = agentChain.compose(ready -> deploy(verticle, config, false, 1).mapEmpty());
            }
            return agentChain;
          });
    }
    return chain.onSuccess(started -> LOG.info("Mirador {} started ({}{}{})", Version.current(), mode.name().toLowerCase(),
        agentId == null ? "" : ", agent " + agentId, httpPort < 0 ? "" : ", http port " + httpPort));
  }

  /**
   * Reads the trust and key stores of the TLS connections this process makes, on a worker, before any verticle
   * starts: a wrong path or password stops start-up with the key it concerns, and no event loop reads a key store.
   */
  private Future<Void> loadTls(Mode mode, JsonObject config) {
    List<TlsSettings> inUse = new ArrayList<>();
    try {
      Transports.tls(config).ifPresent(inUse::add);
      if (mode.hub) {
        Stores.tls(config).ifPresent(inUse::add);
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return TlsSettings.preload(vertx, inUse);
  }

  private Future<String> deploy(Class<? extends Deployable> verticle, JsonObject config, boolean ha, int instances) {
    return deploy(verticle.getName(), verticle.getSimpleName(), config, ha, instances);
  }

  private Future<String> deploy(String name, String what, JsonObject config, boolean ha, int instances) {
    return vertx.deployVerticle(name, new DeploymentOptions().setConfig(config).setHa(ha).setInstances(instances))
        .onSuccess(deployments::add)
        .recover(e -> Future.failedFuture(new IllegalStateException(what + " did not start: " + e.getMessage(), e)));
  }

  /**
   * A clustered Vert.x with HA. Vert.x HA hands a dead node's HA deployments to a member of the same HA group: hubs keep
   * the default group, agents have their own, so an agent joined to the cluster (event-bus transport) is never given
   * hub roles (which would run in the agent's process, on a store of its own).
   */
  private static Future<Vertx> clustered(JsonObject cluster, boolean hub) {
    Config hazelcast;
    try {
      hazelcast = hazelcastConfig(cluster);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    String host = cluster.getString("host", "127.0.0.1");
    VertxOptions options = new VertxOptions().setHAEnabled(true).setHAGroup(hub ? HUB_HA_GROUP : AGENT_HA_GROUP)
        .setEventBusOptions(new EventBusOptions().setHost(host).setClusterPublicHost(host).setPort(0));
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered();
  }

  /** conf/cluster.xml from the working directory, else the copy in the jar; then the overrides of the config. */
  static Config hazelcastConfig(JsonObject cluster) {
    String path = cluster.getString("config", "conf/cluster.xml");
    Config config;
    try (InputStream in = Files.exists(Path.of(path)) ? Files.newInputStream(Path.of(path)) : Mirador.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("cluster config " + path + " not found");
      }
      config = new XmlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cluster config " + path, e);
    }
    String name = cluster.getString("name");
    if (name != null) {
      config.setClusterName(name);
    }
    Integer port = cluster.getInteger("port");
    if (port != null) {
      config.getNetworkConfig().setPort(port);
      // members without a port are looked for on the first ports from this one on
      config.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(List.of("127.0.0.1"));
    }
    return config;
  }
}
