package io.mirador.bench;

import java.io.PrintStream;
import java.util.List;

/** {@code java -jar mirador.jar bench [options]}: see {@link BenchOptions#usage()}. */
public final class Bench {

  private Bench() {
  }

  /** Exit code: 0 the run completed (figures printed), 1 it could not run, 2 a bad option. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (BenchOptions.BadOptionException e) {
      err.println("mirador bench: " + e.getMessage() + "\n");
      err.print(BenchOptions.usage());
      return 2;
    }
    if (options == null) {
      out.print(BenchOptions.usage());
      return 0;
    }
    try {
      new LoadGenerator(options, out).run();
      return 0;
    } catch (Exception e) {
      err.println("mirador bench: " + e.getMessage());
      return 1;
    }
  }
}
