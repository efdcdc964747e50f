package io.mirador.hub.alert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.model.Sample;
import io.mirador.store.memory.MemoryAlertStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What evaluation costs, measured in a loop on this JVM (no Vert.x, no store: the evaluator and the engine's index as
 * they run on their event loops):
 * <ul>
 *   <li>a sample no rule names: the engine's {@link AlertIndex} lookup (all it pays), and {@link Evaluator#onSamples}
 *       were such a sample handed to it anyway;</li>
 *   <li>throughput with rules × series: {@code R} threshold rules on one metric each, {@code S} series per metric
 *       (agents), every sample matching a rule (agg {@code last} and {@code avg} over a 1 m window), the condition
 *       staying true or false (no transition) and flipping on every sample (a transition each time).</li>
 * </ul>
 * Not a test: {@code mvn -q test -Dtest=EvaluatorBench -Dmirador.bench=true} (-Dbench.seconds=5 per measurement).
 */
class EvaluatorBench {

  private static final long SECONDS = Long.getLong("bench.seconds", 3);
  private static volatile Object sink;

  @Test
  void evaluatorCosts() {
    assumeTrue(Boolean.getBoolean("mirador.bench"), "a benchmark; run with -Dmirador.bench=true");
    unnamed(100);
    unnamed(1_000);
    for (int[] rs : new int[][] {{10, 100}, {100, 100}, {100, 1_000}, {1_000, 100}}) {
      for (String agg : List.of("last", "avg")) {
        named(rs[0], rs[1], agg, false);
      }
      named(rs[0], rs[1], "last", true);
    }
  }

  private static List<Rule> rules(int count, String agg) {
    List<Rule> rules = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      JsonObject json = new JsonObject().put("kind", "threshold").put("metric", "m" + r).put("op", ">").put("value", 50).put("agg", agg);
      if (!agg.equals("last")) {
        json.put("window", "1m");
      }
      rules.add(Rule.parse("R" + r, json));
    }
    return rules;
  }

  /** Samples of 1000 metric names no rule names, in batches of 100 like an agent's. */
  private static void unnamed(int ruleCount) {
    List<Rule> rules = rules(ruleCount, "last");
    Vertx vertx = Vertx.vertx();
    AlertIndex index = new AlertIndex(vertx, new MemoryAlertStore(fence -> true));
    index.use(rules);
    Evaluator evaluator = new Evaluator(Evaluator.Limits.DEFAULTS);
    long now = System.currentTimeMillis();
    evaluator.rules(rules, now);
    List<List<Sample>> batches = new ArrayList<>();
    for (int b = 0; b < 10; b++) {
      List<Sample> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(Sample.of("host.metric." + (b * 100 + i), Map.of("dev", "d" + i), i, now));
      }
      batches.add(batch);
    }
    double indexNs = measure(() -> {
      long hits = 0;
      for (List<Sample> batch : batches) {
        if (!index.noMetrics()) {
          for (Sample sample : batch) {
            if (index.namesMetric(sample.name())) {
              hits++;
            }
          }
        }
      }
      sink = hits;
      return 1_000;
    });
    double evaluatorNs = measure(() -> {
      for (List<Sample> batch : batches) {
        sink = evaluator.onSamples("agent-1", batch, now);
      }
      return 1_000;
    });
    System.out.printf("unnamed sample, %d rules: engine index %.1f ns/sample, evaluator.onSamples %.1f ns/sample%n", ruleCount, indexNs,
        evaluatorNs);
    index.close();
    vertx.close();
  }

  /** Every sample is one a rule names: S agents × R metrics, one sample per series per round. */
  private static void named(int ruleCount, int seriesPerRule, String agg, boolean flipping) {
    Evaluator evaluator = new Evaluator(new Evaluator.Limits(1_000_000, 100_000, 10_000, 300_000, 900_000));
    long[] clock = {System.currentTimeMillis()};
    evaluator.rules(rules(ruleCount, agg), clock[0]);
    List<String> agents = new ArrayList<>();
    for (int a = 0; a < seriesPerRule; a++) {
      agents.add("agent-" + a);
      evaluator.hostname("agent-" + a, "host-" + a);
    }
    int[] round = {0};
    long[] transitions = {0};
    double ns = measure(() -> {
      round[0]++;
      clock[0] += 1_000; // one sample per series per second of the evaluator's clock: a 1 m window holds 60 points
      double value = flipping ? (round[0] % 2 == 0 ? 90 : 10) : 10;
      for (String agent : agents) {
        List<Sample> batch = new ArrayList<>(ruleCount);
        for (int r = 0; r < ruleCount; r++) {
          batch.add(Sample.of("m" + r, Map.of(), value, clock[0]));
        }
        transitions[0] += evaluator.onSamples(agent, batch, clock[0]).changed().size();
      }
      transitions[0] += evaluator.tick(clock[0]).changed().size();
      return (long) ruleCount * seriesPerRule;
    });
    System.out.printf("%5d rules x %5d series (%7d series), agg %-4s %-12s: %7.0f ns/sample = %,10.0f samples/s, %d transitions%n",
        ruleCount, seriesPerRule, ruleCount * seriesPerRule, agg, flipping ? "flipping" : "steady", ns, 1e9 / ns, transitions[0]);
  }

  /** Runs {@code round} (which returns how many samples it handled) for a warm-up and then SECONDS; ns per sample. */
  private static double measure(java.util.function.LongSupplier round) {
    long warmEnd = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < warmEnd) {
      round.getAsLong();
    }
    long samples = 0;
    long start = System.nanoTime();
    long end = start + SECONDS * 1_000_000_000L;
    long now;
    do {
      samples += round.getAsLong();
      now = System.nanoTime();
    } while (now < end);
    return (now - start) / (double) samples;
  }
}
