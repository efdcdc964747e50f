package io.mirador.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.alert.AlertVerticle;
import io.mirador.hub.channel.ChannelVerticle;
import io.mirador.hub.cluster.HubNode;
import io.mirador.hub.cluster.LocalNode;
import io.mirador.testing.Await;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which verticle a hub role's deployment name gives on a node: the role's own, except for a copy Vert.x HA brings
 * from a dead node of a role this node runs already, which stands down and goes away.
 */
class HubRoleFactoryTest {

  private static final HubNode HERE = new HubNode("node-here", "127.0.0.1", -1, List.of("engine", "alert", "web"), 1, 1);

  private final Vertx vertx = Vertx.vertx();
  private final HubRoleFactory factory = new HubRoleFactory();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void onlyACopyFromAnotherNodeOfARoleThisNodeRunsIsRedundant() {
    assertTrue(HubRoleFactory.isRedundantCopy(HubRole.ALERT, "node-gone", HERE), "another node's alert, and this node runs alert");
    assertFalse(HubRoleFactory.isRedundantCopy(HubRole.ALERT, "node-here", HERE), "this node's own deployment");
    assertFalse(HubRoleFactory.isRedundantCopy(HubRole.CHANNEL, "node-gone", HERE), "a role this node does not run: it takes it over");
    assertFalse(HubRoleFactory.isRedundantCopy(HubRole.ALERT, null, HERE), "a name without a node");
    assertEquals("mirador-hub:engine@node-here", HubRoleFactory.name(HubRole.ENGINE, "node-here"));
  }

  @Test
  void theNameGivesTheRolesVerticleOrAStandDown() throws Exception {
    LocalNode.set(vertx, HERE);
    vertx.registerVerticleFactory(factory);
    assertInstanceOf(AlertVerticle.class, create("mirador-hub:alert@node-here"));
    assertInstanceOf(ChannelVerticle.class, create("mirador-hub:channel@node-gone"));
    assertInstanceOf(HubRoleFactory.StandDown.class, create("mirador-hub:alert@node-gone"));
    Promise<Callable<? extends Deployable>> unknown = Promise.promise();
    factory.createVerticle2("mirador-hub:nosuchrole@node-gone", getClass().getClassLoader(), unknown);
    assertTrue(unknown.future().failed() && unknown.future().cause().getMessage().contains("unknown hub role 'nosuchrole'"),
        String.valueOf(unknown.future().cause()));
  }

  @Test
  void aStandDownCopyUndeploysItself() {
    LocalNode.set(vertx, HERE);
    vertx.registerVerticleFactory(factory);
    String id = Await.result(vertx.deployVerticle("mirador-hub:engine@node-gone", new DeploymentOptions().setInstances(2)));
    assertTrue(vertx.deploymentIDs().contains(id));
    Await.untilTrue(vertx, "the stand-down copy gone", Duration.ofMillis(HubRoleFactory.STAND_DOWN_AFTER_MS + 10_000),
        () -> !vertx.deploymentIDs().contains(id));
  }

  private Deployable create(String name) throws Exception {
    Promise<Callable<? extends Deployable>> made = Promise.promise();
    factory.createVerticle2(name, getClass().getClassLoader(), made);
    return made.future().result().call();
  }
}
