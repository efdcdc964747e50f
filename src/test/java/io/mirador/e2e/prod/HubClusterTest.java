package io.mirador.e2e.prod;

import static io.mirador.e2e.prod.ProdSetup.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import com.rabbitmq.client.Connection;
import io.mirador.Addresses;
import io.mirador.hub.events.AgentStatusChanged;
import io.mirador.hub.events.HubEvent;
import io.mirador.store.AgentStatus;
import io.mirador.testing.Await;
import io.mirador.testing.RedisServer;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.mirador.transport.rabbitmq.Topology;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub cluster on the production path: three hub nodes, each a JVM of its own started with {@code hub --cluster}
 * (every role; channel, engine and heartbeat twice each per node), one Redis and one RabbitMQ vhost of this test's
 * own, and ticking agents as processes of their own. What users rely on when a node dies, hangs or is restarted:
 * single-owner work moves to a survivor within seconds and is never done twice, the API answers on every live node
 * and shows the cluster as it is, agents stay up, and every seq 1..N is stored exactly once.
 *
 * <p>Starting JVMs is most of the time on a 2-core machine, so the nodes are shared: each test begins with three
 * live nodes (starting again any a test before it left dead), brings its own agents and removes them when done. The
 * order only spares restarts: the kill -9 test comes last. The test JVM joins the cluster too, as a Hazelcast lite
 * member that takes over nothing: it hears every {@link AgentStatusChanged} published on {@link Addresses#AGENT_STATUS},
 * and reads Vert.x HA's own record of which node holds which deployment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubClusterTest {

  private static final long LEASE_TTL_MS = 3_000;
  private static final String HEARTBEAT = "heartbeat";
  private static final String CHECKS = "checks";
  private static final int CHANNELS_PER_NODE = 2;
  /** Vert.x HA's deployments of a node: every role but web, one each (instances are options of one deployment). */
  private static final int HA_DEPLOYMENTS = 6;
  /** Agents that must stay up: silent for 10 s before they are stale, far beyond any pause a takeover causes. */
  private static final int STEADY_HEARTBEAT_S = 5;
  /** Agents a test makes go quiet: stale after 2 s of silence, down after 5 s. */
  private static final int QUIET_HEARTBEAT_S = 1;
  private static final long STEADY_TICK_MS = 25;
  private static final long QUIET_TICK_MS = 100;

  private static final String HELD = "mirador_lease_held{lease=\"heartbeat\"}";
  private static final String LOST = "mirador_lease_lost_total{lease=\"heartbeat\"}";
  private static final String FENCED = "mirador_fenced_writes_total{lease=\"heartbeat\"}";
  private static final String CHANGES = "mirador_agent_status_changes_total";

  @TempDir
  static Path dir;

  private ProdSetup setup;
  private final List<Node> nodes = new ArrayList<>();
  private ClusterMember member;
  private Connection broker;

  @BeforeAll
  void startCluster() throws Exception {
    setup = new ProdSetup(dir, "hub-cluster", null);
    String name = "mirador-hubcluster-" + UUID.randomUUID().toString().substring(0, 8);
    int hazelcastPort = ProdSetup.freePortBlock(8);
    JsonObject cluster = new JsonObject().put("name", name).put("port", hazelcastPort);
    JsonObject hub = new JsonObject()
        .put("instances", new JsonObject().put("channel", CHANNELS_PER_NODE).put("engine", 2).put("heartbeat", 2))
        .put("cluster", new JsonObject().put("leaseTtlMs", LEASE_TTL_MS));
    for (int i = 1; i <= 3; i++) {
      int port = RedisServer.freePort();
      nodes.add(new Node("node" + i, port, setup.clusterNodeConf("node" + i, port, cluster, hub)));
    }
    long started = System.nanoTime();
    nodes.forEach(Node::start);
    for (Node node : nodes) {
      awaitUp(node);
    }
    System.out.printf("cluster %s: 3 hub nodes up after %d ms (Hazelcast ports from %d)%n", name, since(started), hazelcastPort);
    member = ClusterMember.join(name, hazelcastPort);
    broker = RabbitBroker.connect(setup.vhost);
  }

  @AfterAll
  void stopCluster() throws Exception {
    try {
      if (member != null) {
        member.close();
      }
      if (broker != null) {
        broker.close();
      }
    } finally {
      if (setup != null) {
        setup.close(); // SIGKILLs every node and agent still running, stopped ones too
        keepLogs();
      }
    }
  }

  @BeforeEach
  void threeLiveNodes() throws Exception {
    for (Node node : nodes) {
      if (!node.alive()) {
        node.start();
      }
    }
    for (Node node : nodes) {
      awaitUp(node);
    }
    waitUntil(() -> ownedByOneOf(nodes.get(0).cluster(), HEARTBEAT, nodes) && ownedByOneOf(nodes.get(0).cluster(), CHECKS, nodes),
        30_000, () -> "a live node owns heartbeat and checks: " + nodes.get(0).cluster());
  }

  /**
   * Six heartbeat verticles on three nodes judge the same agents: each change up → stale → down → up is made once
   * and published once, heard once by a member of the cluster, and counted once on the node that made it.
   */
  @Test
  @Order(1)
  void everyStatusChangeIsPublishedOnceThoughEveryNodeRunsHeartbeatVerticles() throws Exception {
    assertEquals(1, nodes.stream().mapToDouble(node -> ProdSetup.metric(node.metrics(), HELD)).sum(),
        "exactly one node says it holds the heartbeat lease (mirador_lease_held)");
    assertEquals(1, ProdSetup.metric(ownerOf(HEARTBEAT).metrics(), HELD), "and it is the owner /api/v1/cluster names");
    try (Agent a = new Agent("flap-a", QUIET_HEARTBEAT_S, QUIET_TICK_MS); Agent b = new Agent("flap-b", QUIET_HEARTBEAT_S, QUIET_TICK_MS)) {
      awaitIngest(a, b);
      awaitStatus("up", a, b);
      long counted = awaitStatusChangesCounted();
      int heard = member.heard();

      a.signal("STOP");
      b.signal("STOP");
      awaitStatus("down", a, b);
      a.signal("CONT");
      b.signal("CONT");
      awaitStatus("up", a, b);

      waitUntil(() -> statusChangesCounted() - counted == member.heard() - heard, 20_000,
          () -> "the nodes counted as many changes as the cluster heard: " + (statusChangesCounted() - counted) + " counted, "
              + (member.heard() - heard) + " heard");
      List<String> upStaleDownUp = List.of("up>stale", "stale>down", "down>up");
      assertPublishedOncePerChange(member.changesOf(a.id), upStaleDownUp);
      assertPublishedOncePerChange(member.changesOf(b.id), upStaleDownUp);
      assertEquals(6, member.heard() - heard, "the cluster heard these six changes and nothing else");
      System.out.printf("status changes: %d heard, %d counted over the nodes%n", member.heard() - heard, statusChangesCounted() - counted);

      a.stopTicking();
      b.stopTicking();
      report("status changes", a, setup.assertEverySeqStoredOnce(nodes.get(0).port, a.name, a.id));
      report("status changes", b, setup.assertEverySeqStoredOnce(nodes.get(1).port, b.name, b.id));
    }
  }

  /**
   * The owner of the heartbeat lease hangs (SIGSTOP) past its lease: another node takes the lease and goes on judging
   * an agent that went quiet meanwhile. Woken up (SIGCONT), the old owner knows it lost the lease, does not get it back
   * while the new owner lives, and changes nothing: each change of the agent is made and published once.
   */
  @Test
  @Order(2)
  void aHungOwnerLosesTheLeaseAndChangesNothingWhenItWakes() throws Exception {
    try (Agent quiet = new Agent("quiet", QUIET_HEARTBEAT_S, QUIET_TICK_MS)) {
      awaitIngest(quiet);
      awaitStatus("up", quiet);
      Node old = ownerOf(HEARTBEAT);
      List<Node> others = others(old);
      JsonObject held = lease(old.cluster(), HEARTBEAT);
      String before = old.metrics();
      assertEquals(1, ProdSetup.metric(before, HELD), old + " says it holds the lease:\n" + before);
      long counted = awaitStatusChangesCounted();
      int heard = member.heard();

      JsonObject taken;
      long stoppedAt = System.nanoTime();
      old.signal("STOP");
      try {
        quiet.signal("STOP");
        long tookMs = awaitOwnedByOneOf(others, HEARTBEAT, stoppedAt);
        taken = lease(others.get(0).cluster(), HEARTBEAT);
        System.out.printf("SIGSTOP of the heartbeat owner %s: %s owns the lease %d ms later (leaseTtlMs %d)%n", old,
            nodeWithId(taken.getString("node")), tookMs, LEASE_TTL_MS);
      } finally {
        old.signal("CONT");
      }
      assertTrue(taken.getLong("token") > held.getLong("token"), "a new fencing token: " + taken + " after " + held);
      Node next = nodeWithId(taken.getString("node"));

      // for two lease times and more after it woke up, every view, the old owner's own too, names the new owner
      long watchUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * LEASE_TTL_MS + 1_000);
      int oldAnswered = 0;
      while (System.nanoTime() < watchUntil) {
        for (Node node : List.of(old, next)) {
          JsonObject view = node.cluster();
          if (view.isEmpty()) {
            continue; // just woken up, not answering yet
          }
          oldAnswered += node == old ? 1 : 0;
          JsonObject owner = lease(view, HEARTBEAT);
          assertNotNull(owner, node + " shows no heartbeat owner: " + view);
          assertEquals(taken.getString("owner"), owner.getString("owner"), node + " shows another owner: " + view);
          assertEquals(taken.getLong("token"), owner.getLong("token"), node + " shows another token: " + view);
        }
        TimeUnit.MILLISECONDS.sleep(200); // the poll interval of this watch
      }
      assertTrue(oldAnswered > 0, old + " answered /api/v1/cluster after SIGCONT");
      waitUntil(() -> {
        String now = old.metrics();
        return ProdSetup.metric(now, HELD) == 0 && ProdSetup.metric(now, LOST) >= ProdSetup.metric(before, LOST) + 1;
      }, 10_000, () -> old + " counts the lease lost and not held:\n" + old.metrics());

      awaitStatus("down", quiet);
      quiet.signal("CONT");
      awaitStatus("up", quiet);
      waitUntil(() -> statusChangesCounted() - counted == member.heard() - heard, 20_000,
          () -> "the nodes counted as many changes as the cluster heard: " + (statusChangesCounted() - counted) + " counted, "
              + (member.heard() - heard) + " heard");
      assertPublishedOncePerChange(member.changesOf(quiet.id), List.of("up>stale", "stale>down", "down>up"));
      // Woken up, its belief in the lease had already run out on the monotonic clock, so it normally tries no write at
      // all (mirador_fenced_writes_total stays put); one it had in flight when frozen would be refused by its stale
      // token. Either way none is applied: its count of changes made stays where it was before the freeze.
      String after = old.metrics();
      assertEquals(ProdSetup.metric(before, CHANGES), ProdSetup.metric(after, CHANGES),
          old + " made no status change after it lost the lease");
      System.out.printf("the woken node: lease lost %.0f time(s), held %.0f, status changes made %.0f -> %.0f, writes refused by the fence %.0f -> %.0f%n",
          ProdSetup.metric(after, LOST) - ProdSetup.metric(before, LOST), ProdSetup.metric(after, HELD), ProdSetup.metric(before, CHANGES),
          ProdSetup.metric(after, CHANGES), ProdSetup.metric(before, FENCED), ProdSetup.metric(after, FENCED));
      assertEquals(taken.getString("owner"), lease(old.cluster(), HEARTBEAT).getString("owner"), "the new owner still owns it");

      quiet.stopTicking();
      report("hung owner", quiet, setup.assertEverySeqStoredOnce(next.port, quiet.name, quiet.id));
    }
  }

  /**
   * Each node in turn is stopped cleanly (SIGTERM) and started again while two agents send: the others own everything
   * while it is gone, it is listed up again when back, and at the end every seq is stored once. A clean stop hands
   * nothing over to Vert.x HA: every node keeps just its own deployments and the queue its six consumers.
   */
  @Test
  @Order(3)
  void aRollingRestartLosesNothingAndKeepsEveryLeaseOwned() throws Exception {
    try (Agent a = new Agent("roll-a", STEADY_HEARTBEAT_S, STEADY_TICK_MS); Agent b = new Agent("roll-b", STEADY_HEARTBEAT_S, STEADY_TICK_MS)) {
      awaitIngest(a, b);
      int heard = member.heard();
      for (Node node : nodes) {
        List<Node> others = others(node);
        String id = node.id;
        long stoppedAt = System.nanoTime();
        node.signal("TERM");
        assertTrue(node.process.waitFor(60, TimeUnit.SECONDS), node + " exits on SIGTERM");
        long goneMs = since(stoppedAt);
        waitUntil(() -> {
          JsonObject view = others.get(0).cluster();
          return view.containsKey("nodes") && !listed(view, id) && ownedByOneOf(view, HEARTBEAT, others) && ownedByOneOf(view, CHECKS, others);
        }, 30_000, () -> node + " is no longer listed and the others own everything: " + others.get(0).cluster());
        long ownedMs = since(stoppedAt);
        long received = a.received(others.get(0)) + b.received(others.get(0));
        node.start();
        awaitUp(node);
        waitUntil(() -> a.received(others.get(1)) + b.received(others.get(1)) >= received + 50, 60_000, () -> "ingest goes on");
        System.out.printf("rolling restart of %s: exited %d ms after SIGTERM, the others owned everything after %d ms, up again as %s after %d ms%n",
            id, goneMs, ownedMs, node.id, since(stoppedAt));
      }
      for (Node node : nodes) {
        JsonObject view = node.cluster();
        assertEquals(nodes.stream().map(n -> n.id).sorted().toList(), ids(view, "up"), "three nodes up in " + node + "'s view: " + view);
      }
      assertEachNodeHasItsOwnHaDeploymentsOnly(nodes);
      assertEquals(3 * CHANNELS_PER_NODE, RabbitBroker.consumerCount(broker, Topology.INGEST_QUEUE), "one consumer per channel verticle");
      assertStayedUp(heard, a, b);

      a.stopTicking();
      b.stopTicking();
      report("rolling restart", a, setup.assertEverySeqStoredOnce(nodes.get(0).port, a.name, a.id));
      report("rolling restart", b, setup.assertEverySeqStoredOnce(nodes.get(2).port, b.name, b.id));
    }
  }

  /**
   * The node owning the heartbeat lease is killed (SIGKILL) while two agents send: a survivor owns heartbeat (and
   * checks) within seconds, the survivors answer and show the killed node down, the agents stay up, Vert.x HA gives
   * nobody a second copy of a role it runs already, and every seq is stored once.
   */
  @Test
  @Order(4)
  void whenTheOwnerIsKilledASurvivorTakesOverWithinSecondsAndNothingIsLost() throws Exception {
    try (Agent a = new Agent("steady-a", STEADY_HEARTBEAT_S, STEADY_TICK_MS); Agent b = new Agent("steady-b", STEADY_HEARTBEAT_S, STEADY_TICK_MS)) {
      awaitIngest(a, b);
      List<String> ids = nodes.stream().map(n -> n.id).sorted().toList();
      for (Node node : nodes) {
        JsonObject view = node.cluster();
        assertEquals(ids, ids(view, "up"), "three nodes up in " + node + "'s view: " + view);
        assertTrue(ownedByOneOf(view, HEARTBEAT, nodes) && ownedByOneOf(view, CHECKS, nodes), "heartbeat and checks owned: " + view);
      }
      assertEachNodeHasItsOwnHaDeploymentsOnly(nodes);
      assertEquals(3 * CHANNELS_PER_NODE, RabbitBroker.consumerCount(broker, Topology.INGEST_QUEUE), "one consumer per channel verticle");
      int heard = member.heard();

      Node victim = ownerOf(HEARTBEAT);
      boolean ownedChecks = victim.id.equals(lease(victim.cluster(), CHECKS).getString("node"));
      List<Node> survivors = others(victim);
      long killedAt = System.nanoTime();
      victim.process.destroyForcibly();
      long heartbeatMs = awaitOwnedByOneOf(survivors, HEARTBEAT, killedAt);
      long checksMs = awaitOwnedByOneOf(survivors, CHECKS, killedAt);
      System.out.printf("kill -9 of the heartbeat owner %s: a survivor owns heartbeat after %d ms; checks %s (leaseTtlMs %d)%n",
          victim, heartbeatMs, ownedChecks ? "(the victim's too) after " + checksMs + " ms" : "was a survivor's already", LEASE_TTL_MS);
      assertTrue(victim.process.waitFor(20, TimeUnit.SECONDS));

      for (Node survivor : survivors) {
        waitUntil(() -> {
          JsonObject view = survivor.cluster();
          return ids(view, "down").contains(victim.id) && ids(view, "up").containsAll(survivors.stream().map(n -> n.id).toList());
        }, 20_000, () -> survivor + " answers and shows " + victim + " down: " + survivor.cluster());
      }
      waitUntil(() -> !member.haDeployments().containsKey(victim.id), 60_000,
          () -> "Vert.x HA handled the death of " + victim + ": " + member.haDeployments());
      waitUntil(() -> hasOwnHaDeploymentsOnly(survivors), 20_000, () -> "the copies a survivor needs not stood down: " + member.haDeployments());
      assertEquals(2 * CHANNELS_PER_NODE, RabbitBroker.consumerCount(broker, Topology.INGEST_QUEUE),
          "the survivors' channels consume; none was added by the failover");

      long received = a.received(survivors.get(0)) + b.received(survivors.get(0));
      waitUntil(() -> a.received(survivors.get(1)) + b.received(survivors.get(1)) >= received + 100, 60_000, () -> "ingest goes on");
      assertStayedUp(heard, a, b);
      a.stopTicking();
      b.stopTicking();
      report("kill -9", a, setup.assertEverySeqStoredOnce(survivors.get(0).port, a.name, a.id));
      report("kill -9", b, setup.assertEverySeqStoredOnce(survivors.get(1).port, b.name, b.id));
    }
  }

  // ---- the cluster as the API shows it

  private Node ownerOf(String role) throws InterruptedException {
    Node[] owner = new Node[1];
    waitUntil(() -> {
      JsonObject lease = lease(live().get(0).cluster(), role);
      owner[0] = lease == null ? null : nodes.stream().filter(n -> lease.getString("node").equals(n.id) && n.alive()).findFirst().orElse(null);
      return owner[0] != null;
    }, 30_000, () -> "a live node owns " + role + ": " + live().get(0).cluster());
    return owner[0];
  }

  /** Polls the first of {@code candidates} every 50 ms until one of them owns {@code role}; the ms since {@code since}. */
  private static long awaitOwnedByOneOf(List<Node> candidates, String role, long since) throws InterruptedException {
    Await.condition(Duration.ofSeconds(15), Duration.ofMillis(50), () -> ownedByOneOf(candidates.get(0).cluster(), role, candidates),
        () -> "one of " + candidates + " owns " + role + " within 15 s: " + candidates.get(0).cluster());
    return since(since);
  }

  private static JsonObject lease(JsonObject view, String role) {
    return view.getJsonArray("owners", new JsonArray()).stream().map(JsonObject.class::cast)
        .filter(owner -> role.equals(owner.getString("role"))).findFirst().orElse(null);
  }

  private static boolean ownedByOneOf(JsonObject view, String role, List<Node> candidates) {
    JsonObject lease = lease(view, role);
    return lease != null && candidates.stream().anyMatch(node -> lease.getString("node").equals(node.id));
  }

  private static List<String> ids(JsonObject view, String status) {
    return view.getJsonArray("nodes", new JsonArray()).stream().map(JsonObject.class::cast)
        .filter(node -> status.equals(node.getString("status"))).map(node -> node.getString("id")).sorted().toList();
  }

  private static boolean listed(JsonObject view, String id) {
    return view.getJsonArray("nodes", new JsonArray()).stream().map(JsonObject.class::cast).anyMatch(node -> id.equals(node.getString("id")));
  }

  private Node nodeWithId(String id) {
    return nodes.stream().filter(node -> id.equals(node.id)).findFirst().orElseThrow(() -> new AssertionError("no node " + id + " in " + nodes));
  }

  private List<Node> live() {
    return nodes.stream().filter(Node::alive).toList();
  }

  private List<Node> others(Node node) {
    return nodes.stream().filter(other -> other != node).toList();
  }

  /** Waits until the node answers /api/v1/health with 200 and every other live node lists it up. */
  private void awaitUp(Node node) throws InterruptedException {
    waitUntil(() -> {
      if (!node.alive()) {
        throw new AssertionError(node + " exited:\n" + node.logTail());
      }
      var health = ProdSetup.get(node.port, "/api/v1/health");
      if (health == null || health.statusCode() != 200) {
        return false;
      }
      node.id = new JsonObject(health.body()).getString("node");
      return live().stream().filter(other -> other.id != null || other == node)
          .allMatch(other -> ids(other.cluster(), "up").contains(node.id));
    }, 180_000, () -> node + " up and listed up by the others:\n" + node.logTail());
  }

  // ---- status changes and Vert.x HA, as the cluster member sees them

  /** {@link #statusChangesCounted()} once every live node answers. */
  private long awaitStatusChangesCounted() throws InterruptedException {
    long[] counted = new long[1];
    waitUntil(() -> (counted[0] = statusChangesCounted()) >= 0, 30_000, () -> "every live node answers /metrics");
    return counted[0];
  }

  /** The status changes the live nodes say they made (mirador_agent_status_changes_total, summed); -1 when one does not answer. */
  private long statusChangesCounted() {
    long sum = 0;
    for (Node node : live()) {
      String text = node.metrics();
      if (text.isEmpty()) {
        return -1; // not answering: not comparable now
      }
      sum += (long) ProdSetup.metric(text, CHANGES);
    }
    return sum;
  }

  /**
   * The changes of one agent in the order heard: each one starts from the status the one before left it in (a change
   * published twice would repeat its step) and they are the expected ones, each once.
   */
  private static void assertPublishedOncePerChange(List<AgentStatusChanged> changes, List<String> expected) {
    AgentStatus at = AgentStatus.UP;
    for (AgentStatusChanged change : changes) {
      assertEquals(at, change.from(), "each change starts where the one before ended: " + changes);
      assertNotEquals(change.from(), change.to(), "a change changes: " + changes);
      at = change.to();
    }
    assertEquals(expected, changes.stream().map(c -> c.from().wireName() + ">" + c.to().wireName()).toList(), "the changes heard");
  }

  private void assertStayedUp(int heardBefore, Agent... agents) {
    for (Agent agent : agents) {
      List<AgentStatusChanged> heard = List.copyOf(member.changes);
      assertEquals(List.of(), heard.subList(heardBefore, heard.size()).stream().filter(change -> agent.id.equals(change.agent())).toList(),
          agent.name + " never left up");
      for (Node node : live()) {
        assertEquals("up", ProdSetup.agent(node.port, agent.id).getString("status"), agent.name + " is up in " + node + "'s view");
      }
    }
  }

  private boolean hasOwnHaDeploymentsOnly(List<Node> expected) {
    Map<String, List<String>> deployments = member.haDeployments();
    return expected.stream().allMatch(node -> {
      List<String> names = deployments.getOrDefault(node.id, List.of());
      return names.size() == HA_DEPLOYMENTS && names.stream().allMatch(name -> name.endsWith("@" + node.id));
    });
  }

  /** Each node's HA deployments are its own five roles (by name {@code mirador-hub:<role>@<its id>}), no copies. */
  private void assertEachNodeHasItsOwnHaDeploymentsOnly(List<Node> expected) {
    assertTrue(hasOwnHaDeploymentsOnly(expected), "each node holds its own " + HA_DEPLOYMENTS + " HA deployments only: " + member.haDeployments());
  }

  // ---- agents

  private void awaitIngest(Agent... agents) throws InterruptedException {
    for (Agent agent : agents) {
      waitUntil(() -> agent.received(live().get(0)) >= 20, 120_000, () -> agent.name + " stored: " + ProdSetup.agent(live().get(0).port, agent.id));
    }
  }

  private void awaitStatus(String status, Agent... agents) throws InterruptedException {
    for (Agent agent : agents) {
      waitUntil(() -> status.equals(ProdSetup.agent(live().get(0).port, agent.id).getString("status")), 30_000,
          () -> agent.name + " " + status + ": " + ProdSetup.agent(live().get(0).port, agent.id).copy().put("counters", "…"));
    }
  }

  private static void report(String test, Agent agent, JsonObject counters) {
    System.out.printf("%s, %s: lastSeq %d, received %d, duplicates %d, gaps %d%n", test, agent.name, counters.getLong("lastSeq"),
        counters.getLong("received"), counters.getLong("duplicates"), counters.getLong("gaps"));
  }

  private static long since(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** The nodes' and agents' logs, kept in target/ (the temporary directory goes with the test). */
  private static void keepLogs() throws IOException {
    Path kept = Path.of("target", "hub-cluster-logs");
    Files.createDirectories(kept);
    try (var files = Files.list(dir)) {
      for (Path log : files.filter(path -> path.toString().endsWith(".log")).toList()) {
        Files.copy(log, kept.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** One hub node: its own conf and HTTP port; its process and node id change when it is started again. */
  private final class Node {
    final String name;
    final int port;
    final Path conf;
    Process process;
    volatile String id;

    Node(String name, int port, Path conf) {
      this.name = name;
      this.port = port;
      this.conf = conf;
    }

    void start() {
      id = null;
      process = setup.clusterNodeProcess(conf, name + ".log");
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    void signal(String signal) {
      ProdSetup.signal(process, signal);
    }

    JsonObject cluster() {
      return ProdSetup.cluster(port);
    }

    String metrics() {
      return ProdSetup.metrics(port);
    }

    String logTail() {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return e.toString();
      }
    }

    @Override
    public String toString() {
      return name + (id == null ? "" : " (" + id + ")");
    }
  }

  /** A ticking agent process; closing it kills it and removes it from the registry, so it changes no status later. */
  private final class Agent implements AutoCloseable {
    final String name;
    final Process process;
    final String id;

    Agent(String name, int heartbeatSeconds, long everyMs) throws Exception {
      this.name = name;
      this.process = setup.agentProcess(name, name + ".log", everyMs, heartbeatSeconds);
      Path idFile = setup.dataDir(name).resolve("agent.id");
      waitUntil(() -> Files.exists(idFile) || !process.isAlive(), 60_000, () -> name + " wrote its id");
      assertTrue(process.isAlive(), name + " is running");
      this.id = Files.readString(idFile).trim();
    }

    long received(Node via) {
      return ProdSetup.agent(via.port, id).getLong("received", 0L);
    }

    void signal(String signal) {
      ProdSetup.signal(process, signal);
    }

    void stopTicking() throws IOException {
      Files.createFile(setup.dataDir(name).resolve(TickingAgent.STOP_FILE));
    }

    @Override
    public void close() throws Exception {
      ProdSetup.kill(process);
      for (Node node : live()) {
        if (ProdSetup.delete(node.port, "/api/v1/agents/" + id) != 0) {
          break;
        }
      }
    }
  }

  /**
   * The test JVM in the cluster: a Hazelcast lite member (it holds no data), its Vert.x in an HA group of its own
   * (Vert.x gives it nothing to take over). It hears every status change published in the cluster and reads Vert.x HA's record.
   */
  private static final class ClusterMember implements AutoCloseable {

    private final Vertx vertx;
    private final HazelcastClusterManager manager;
    final List<AgentStatusChanged> changes = new CopyOnWriteArrayList<>();

    private ClusterMember(Vertx vertx, HazelcastClusterManager manager) {
      this.vertx = vertx;
      this.manager = manager;
    }

    /** Joins like a hub node does (conf/cluster.xml with the cluster's name and ports), as a lite member. */
    static ClusterMember join(String name, int port) throws IOException {
      Config config;
      try (InputStream in = Files.newInputStream(Path.of("conf", "cluster.xml"))) {
        config = new XmlConfigBuilder(in).build();
      }
      config.setClusterName(name).setLiteMember(true).setProperty("hazelcast.wait.seconds.before.join", "1");
      config.getNetworkConfig().setPort(port);
      config.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(List.of("127.0.0.1"));
      HazelcastClusterManager manager = new HazelcastClusterManager(config);
      EventBusOptions bus = new EventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1").setPort(0);
      // HA in a group of its own: no hub deployment ever fails over to it, and the hubs see its HA record at once
      VertxOptions options = new VertxOptions().setEventBusOptions(bus).setHAEnabled(true).setHAGroup("mirador-test-observer");
      Vertx vertx = Await.result(Vertx.builder().with(options).withClusterManager(manager).buildClustered(), Duration.ofSeconds(120));
      ClusterMember member = new ClusterMember(vertx, manager);
      HubEvent.registerCodecs(vertx.eventBus());
      MessageConsumer<AgentStatusChanged> consumer = vertx.eventBus().consumer(Addresses.AGENT_STATUS, message -> member.changes.add(message.body()));
      Await.result(consumer.completion(), Duration.ofSeconds(60));
      return member;
    }

    int heard() {
      return changes.size();
    }

    List<AgentStatusChanged> changesOf(String agent) {
      return changes.stream().filter(change -> agent.equals(change.agent())).toList();
    }

    /** Vert.x HA's record: node id → the names of the HA deployments a survivor would redeploy if it died. */
    Map<String, List<String>> haDeployments() {
      Map<String, List<String>> deployments = new LinkedHashMap<>();
      Map<String, String> record = manager.getSyncMap("__vertx.haInfo");
      record.forEach((node, info) -> deployments.put(node, new JsonObject(info).getJsonArray("verticles", new JsonArray()).stream()
          .map(JsonObject.class::cast).map(verticle -> verticle.getString("verticle_name")).filter(Objects::nonNull).toList()));
      return deployments;
    }

    @Override
    public void close() {
      Await.result(vertx.close(), Duration.ofSeconds(60));
    }
  }
}
