package io.mirador.hub;

import io.mirador.hub.cluster.HubNode;
import io.mirador.hub.cluster.LocalNode;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.spi.VerticleFactory;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the verticle of a hub role from a name that says which node deployed it: {@code mirador-hub:<role>@<node id>}.
 *
 * <p>Vert.x HA redeploys the HA roles of a node that died on a survivor, by that name. A survivor that runs the role
 * itself already does that work (channels and engines share it, heartbeat and checks act only with their lease), so
 * there the copy {@link StandDown stands down}; only a survivor without the role takes it over. Otherwise every
 * death would add the dead node's roles to a survivor, never to be given back when the node returns, and a later
 * death would move them on with that survivor's own: more consumers and lease requests with each failure, for nothing.
 */
public final class HubRoleFactory implements VerticleFactory {

  public static final String PREFIX = "mirador-hub";

  private static final Logger LOG = LoggerFactory.getLogger(HubRoleFactory.class);

  /**
   * How long a copy that stands down stays deployed. Vert.x HA records a redeployed verticle only once it has started;
   * undeployed before that, the record would outlive it and be handed on again when this node dies.
   */
  static final long STAND_DOWN_AFTER_MS = 2_000;

  private Vertx vertx;

  /** The name to deploy {@code role} by from the node {@code nodeId}. */
  public static String name(HubRole role, String nodeId) {
    return PREFIX + ":" + role.roleName() + "@" + nodeId;
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public void createVerticle2(String verticleName, ClassLoader classLoader, Promise<Callable<? extends Deployable>> promise) {
    String spec = VerticleFactory.removePrefix(verticleName);
    int at = spec.indexOf('@');
    HubRole role;
    try {
      role = HubRole.named(at < 0 ? spec : spec.substring(0, at));
    } catch (IllegalArgumentException e) {
      promise.fail(e);
      return;
    }
    String origin = at < 0 ? null : spec.substring(at + 1); // none: deployed by name without a node, never a copy
    HubNode local = LocalNode.of(vertx);
    if (isRedundantCopy(role, origin, local)) {
      promise.complete(() -> new StandDown(role, origin));
    } else {
      promise.complete(() -> role.verticle().getDeclaredConstructor().newInstance());
    }
  }

  /** A role deployed by another node (Vert.x HA moved it here) that this node runs itself anyway. */
  static boolean isRedundantCopy(HubRole role, String origin, HubNode local) {
    return origin != null && !origin.equals(local.id()) && local.roles().contains(role.roleName());
  }

  /** The copy of a role this node already runs: it does nothing and undeploys itself. */
  static final class StandDown extends VerticleBase {

    private final HubRole role;
    private final String origin;

    StandDown(HubRole role, String origin) {
      this.role = role;
      this.origin = origin;
    }

    @Override
    public Future<?> start() {
      String id = deploymentID();
      vertx.setTimer(STAND_DOWN_AFTER_MS, timer -> {
        if (vertx.deploymentIDs().contains(id)) { // with several instances, the first one undeploys them all
          LOG.info("role {} of node {} not taken over: this node runs it already", role.roleName(), origin);
          vertx.undeploy(id).onFailure(e -> LOG.debug("stand-down copy {} of {}: {}", id, role.roleName(), e.toString()));
        }
      });
      return Future.succeededFuture();
    }
  }
}
