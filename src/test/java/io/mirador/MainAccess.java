package io.mirador;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Main's package-private command entries, for tests in other packages. */
public final class MainAccess {

  private MainAccess() {
  }

  public static int security(String command, List<String> args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    return Main.security(command, args, in, out, err, env);
  }
}
