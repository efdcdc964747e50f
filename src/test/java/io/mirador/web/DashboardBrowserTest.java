package io.mirador.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mirador.Mirador;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser against a real standalone Mirador: the local agent shows up as
 * {@code up}, and the charts fill from history and then keep growing from the SockJS feed without a
 * reload. Needs Debian's Chromium; skipped when it is missing unless {@code -Dmirador.requireBrowser=true}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of(System.getProperty("mirador.chromium", "/usr/bin/chromium"));

  /** Charts fed by the collectors the test configures (disk depends on the host's block devices). */
  private static final List<String> LIVE_CHARTS = List.of("cpu", "mem", "load", "net");

  /** What a test may read from the page: the agent's row, the selection, the connection and every chart. */
  private static final String SNAPSHOT = """
      const snapshot = (agentId) => {
        const row = document.querySelector(`tr[data-agent-id="${agentId}"]`);
        const charts = {};
        for (const card of document.querySelectorAll('[data-chart]')) {
          charts[card.dataset.chart] = {
            points: Number(card.dataset.points),
            lastTs: Number(card.dataset.lastTs),
            canvas: card.querySelector('canvas#chart-' + card.dataset.chart) !== null,
          };
        }
        const q = (selector) => document.querySelector(selector);
        const checks = {};
        for (const tr of document.querySelectorAll('#checks tbody tr')) {
          checks[tr.dataset.check] = {
            state: tr.querySelector('.pill')?.textContent.trim() ?? null,
            pillClass: tr.querySelector('.pill')?.className ?? null,
            output: tr.querySelector('td.output')?.textContent ?? null,
            lastRun: tr.querySelector('td.lastrun')?.textContent ?? null,
            executed: Number(tr.querySelector('td.lastrun')?.dataset.ts ?? 0),
          };
        }
        const alerts = {};
        for (const tr of document.querySelectorAll('#alerts tbody tr')) {
          alerts[tr.dataset.rule] = { state: tr.dataset.state, severity: tr.dataset.severity, silenced: tr.dataset.silenced === 'true',
            marked: tr.querySelector('.pill.silenced') !== null, action: tr.querySelector('select.silence-for') !== null };
        }
        const jobs = {};
        for (const tr of document.querySelectorAll('#jobs tbody tr')) {
          jobs[tr.dataset.id] = { state: tr.dataset.state, succeeded: Number(tr.querySelectorAll('td.num')[1]?.textContent ?? -1) };
        }
        return {
          status: row?.querySelector('td.status')?.textContent.trim() ?? null,
          alerts,
          jobs,
          jobsShown: !(q('#jobs-panel')?.hidden ?? true),
          alertCount: Number(q('#count-alerts')?.textContent),
          alertsSummary: q('#alerts-summary')?.textContent ?? null,
          selected: q('#detail')?.dataset.agentId ?? null,
          hash: location.hash,
          connection: q('#conn')?.dataset.state ?? null,
          up: Number(q('#count-up')?.textContent),
          cpuTile: q('#tile-cpu')?.dataset.value ?? null,
          marker: window.__miradorTestMarker || null,
          now: Date.now(),
          charts,
          checks,
        };
      };
      """;

  @Test
  void localAgentIsUpAndChartsFollowTheLiveFeed(@TempDir Path tempDir) throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      if (Boolean.getBoolean("mirador.requireBrowser")) {
        fail(CHROMIUM + " is missing and mirador.requireBrowser=true");
      }
      Assumptions.abort(CHROMIUM + " is missing; install chromium to run the browser test");
    }
    Files.createDirectories(tempDir.resolve("agent"));
    Mirador mirador = await(Mirador.start(Mirador.Mode.STANDALONE, config(tempDir)), Duration.ofSeconds(60));
    try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, tempDir.resolve("chromium"))) {
      browser.navigate("http://127.0.0.1:" + mirador.httpPort() + "/");
      String agent = mirador.agentId();

      // history plus the first live batches: the row says up and every chart has drawn points
      // (the page may still be loading at the first check: every read in SNAPSHOT tolerates that)
      JsonObject first = waitFor(browser, agent,
          "s.status === 'up' && s.selected === agentId && s.connection === 'live' && "
              + jsArray(LIVE_CHARTS) + ".every(c => s.charts[c].points > 0) && s.checks.browser_warn?.state === 'WARNING'",
          Duration.ofSeconds(60));
      String context = "\nfirst snapshot: " + first.encodePrettily() + "\nchromium:\n" + browser.log();
      assertEquals("up", first.getString("status"), "status of the local agent's row" + context);
      assertEquals(agent, first.getString("selected"), "the only agent is selected by default" + context);
      assertEquals("#agent=" + agent, first.getString("hash"), "the selection is kept in the URL" + context);
      assertEquals("live", first.getString("connection"), "connection badge" + context);
      assertTrue(first.getInteger("up") >= 1, "agents counted as up in the header" + context);
      assertFalse(first.getString("cpuTile", "").isEmpty(), "the CPU tile shows a value" + context);
      JsonObject check = first.getJsonObject("checks").getJsonObject("browser_warn");
      assertEquals("WARNING", check.getString("state"), "the check's status pill" + context);
      assertEquals("pill warning", check.getString("pillClass"), "the pill's colour class" + context);
      assertEquals("WARNING: seen in the browser", check.getString("output"), "the check's output" + context);
      assertTrue(check.getString("lastRun").endsWith("ago"), "last run, relative" + context);
      for (String chart : List.of("cpu", "mem", "load", "disk", "net")) {
        assertTrue(first.getJsonObject("charts").getJsonObject(chart).getBoolean("canvas"), "canvas #chart-" + chart + context);
      }
      for (String chart : LIVE_CHARTS) {
        JsonObject c = first.getJsonObject("charts").getJsonObject(chart);
        assertTrue(c.getInteger("points") > 0, chart + " chart has points" + context);
        assertTrue(c.getLong("lastTs") > first.getLong("now") - 30_000, chart + " chart's newest point is recent" + context);
      }

      // later, without a reload (the marker survives), every chart has a newer point from the feed
      browser.evaluate("window.__miradorTestMarker = 'set before the live updates'", Duration.ofSeconds(5));
      JsonObject firstCharts = first.getJsonObject("charts");
      StringBuilder newer = new StringBuilder("true");
      for (String chart : LIVE_CHARTS) {
        newer.append(" && s.charts.").append(chart).append(".lastTs > ").append(firstCharts.getJsonObject(chart).getLong("lastTs"));
      }
      newer.append(" && s.checks.browser_warn.executed > ").append(check.getLong("executed"));
      JsonObject second = waitFor(browser, agent, newer.toString(), Duration.ofSeconds(45));
      context = "\nfirst snapshot: " + first.encodePrettily() + "\nsecond snapshot: " + second.encodePrettily()
          + "\nchromium:\n" + browser.log();
      assertEquals("set before the live updates", second.getString("marker"), "the page was not reloaded" + context);
      assertEquals("up", second.getString("status"), "status of the local agent's row" + context);
      for (String chart : LIVE_CHARTS) {
        JsonObject before = firstCharts.getJsonObject(chart);
        JsonObject after = second.getJsonObject("charts").getJsonObject(chart);
        assertTrue(after.getLong("lastTs") > before.getLong("lastTs"), chart + " chart got a newer point live" + context);
        assertTrue(after.getLong("lastTs") > System.currentTimeMillis() - 30_000, chart + " chart's newest point is recent" + context);
        assertTrue(after.getInteger("points") > 0, chart + " chart has points" + context);
      }
      assertTrue(second.getJsonObject("checks").getJsonObject("browser_warn").getLong("executed") > check.getLong("executed"),
          "the check's row follows the live results" + context);

      // the alerts panel: the rule on memory fires and shows, counted in the header; "silence for… 1h" marks it silenced
      JsonObject firing = waitFor(browser, agent, "s.alerts.AnyMemory?.state === 'firing' && s.alertCount >= 1", Duration.ofSeconds(45));
      context = "\nsnapshot: " + firing.encodePrettily() + "\nchromium:\n" + browser.log();
      JsonObject alert = firing.getJsonObject("alerts").getJsonObject("AnyMemory");
      assertEquals("critical", alert.getString("severity"), "severity column" + context);
      assertFalse(alert.getBoolean("silenced"), "not silenced yet" + context);
      assertTrue(alert.getBoolean("action"), "a 'silence for…' action" + context);
      assertTrue(firing.getString("alertsSummary").contains("1 critical"), "firing by severity in the panel's title" + context);
      browser.evaluate("(() => { const select = document.querySelector('#alerts tr[data-rule=\"AnyMemory\"] select.silence-for');"
          + " select.value = '60'; select.dispatchEvent(new Event('change')); return true; })()", Duration.ofSeconds(5));
      JsonObject silenced = waitFor(browser, agent, "s.alerts.AnyMemory?.silenced && s.alerts.AnyMemory.marked", Duration.ofSeconds(30));
      context = "\nsnapshot: " + silenced.encodePrettily() + "\nchromium:\n" + browser.log();
      assertEquals("firing", silenced.getJsonObject("alerts").getJsonObject("AnyMemory").getString("state"), "a silenced alert still shows" + context);
      assertFalse(silenced.getJsonObject("alerts").getJsonObject("AnyMemory").getBoolean("action"), "no second silence offered" + context);
      assertTrue(silenced.getString("alertsSummary").contains("1 silenced"), "the panel counts it silenced" + context);
      String silences = (String) browser.evaluate("fetch('/api/v1/silences?state=active').then(r => r.text())", Duration.ofSeconds(10));
      io.vertx.core.json.JsonArray active = new JsonObject(silences).getJsonArray("silences");
      assertEquals(1, active.size(), silences);
      assertEquals("dashboard", active.getJsonObject(0).getString("createdBy"), silences);
      long minutes = Duration.between(java.time.Instant.now(), java.time.Instant.parse(active.getJsonObject(0).getString("endsAt"))).toMinutes();
      assertTrue(minutes >= 58 && minutes <= 60, "ends in an hour: " + silences);

      // the jobs panel: a job submitted through the API shows, and follows it live to SUCCEEDED on the one agent
      String submitted = (String) browser.evaluate("fetch('/api/v1/jobs', {method: 'POST', headers: {'content-type': 'application/json'},"
          + " body: JSON.stringify({script: 'echo from-the-dashboard-test', targets: {agents: [" + JsonObject.of("a", agent).encode()
          + ".a]}})}).then(r => r.text())", Duration.ofSeconds(10));
      String jobId = new JsonObject(submitted).getString("id");
      assertTrue(jobId != null, submitted);
      JsonObject done = waitFor(browser, agent, "s.jobsShown && s.jobs[" + JsonObject.of("id", jobId).encode() + ".id]?.state === 'SUCCEEDED'",
          Duration.ofSeconds(30));
      context = "\nsnapshot: " + done.encodePrettily() + "\nchromium:\n" + browser.log();
      assertEquals("SUCCEEDED", done.getJsonObject("jobs").getJsonObject(jobId, new JsonObject()).getString("state"), "the job live in the panel" + context);
      assertEquals(1, done.getJsonObject("jobs").getJsonObject(jobId).getInteger("succeeded"), "one target succeeded" + context);

      browser.screenshot(Path.of("target", "dashboard-browser-test.png"));
    } finally {
      await(mirador.close(), Duration.ofSeconds(30));
    }
  }

  /**
   * Polls the page (inside the page, every 250 ms) until condition holds over the snapshot {@code s},
   * then returns that snapshot; after timeout returns the last snapshot, so assertions say what was seen.
   */
  private static JsonObject waitFor(HeadlessChromium browser, String agentId, String condition, Duration timeout)
      throws Exception {
    String script = "(() => {" + SNAPSHOT
        + "const agentId = " + JsonObject.of("id", agentId).encode() + ".id;"
        + "const deadline = Date.now() + " + timeout.toMillis() + ";"
        + "return new Promise((resolve) => {"
        + "  const check = () => {"
        + "    const s = snapshot(agentId);"
        + "    let ok = false;"
        + "    try { ok = " + condition + "; } catch (e) { ok = false; }"
        + "    if (ok || Date.now() > deadline) resolve(JSON.stringify(s)); else setTimeout(check, 250);"
        + "  };"
        + "  check();"
        + "});"
        + "})()";
    return new JsonObject((String) browser.evaluate(script, timeout.plusSeconds(5)));
  }

  private static String jsArray(List<String> names) {
    return new io.vertx.core.json.JsonArray(names).encode();
  }

  private static JsonObject config(Path tempDir) {
    JsonObject everySecond = new JsonObject().put("intervalSeconds", 1);
    return new JsonObject()
        .put("http", new JsonObject().put("port", 0))
        .put("hub", new JsonObject().put("alert", new JsonObject().put("rules", new JsonObject().put("AnyMemory", new JsonObject()
            .put("kind", "threshold").put("metric", "memory.used_pct").put("op", ">=").put("value", 0).put("severity", "critical")
            .put("annotations", new JsonObject().put("summary", "memory {{ $value }}% used on {{ $labels.hostname }}"))))))
        .put("agent", new JsonObject()
            .put("dataDir", tempDir.resolve("agent").toString())
            .put("heartbeatSeconds", 2)
            .put("checks", new JsonObject().put("local", new JsonObject().put("browser_warn", new JsonObject()
                .put("argv", new io.vertx.core.json.JsonArray().add("/usr/lib/nagios/plugins/check_dummy").add("1").add("seen in the browser"))
                .put("interval", 1))))
            .put("collectors", new JsonObject()
                .put("cpu", everySecond.copy())
                .put("memory", everySecond.copy())
                .put("load", everySecond.copy())
                .put("network", everySecond.copy())));
  }

  private static <T> T await(Future<T> future, Duration timeout) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
