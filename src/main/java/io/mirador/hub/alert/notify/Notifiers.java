package io.mirador.hub.alert.notify;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The notifier plugins on the class path, by type. */
public final class Notifiers {

  private final Map<String, Notifier> byType;

  private Notifiers(Map<String, Notifier> byType) {
    this.byType = byType;
  }

  public static Notifiers load() {
    Map<String, Notifier> found = new TreeMap<>();
    for (Notifier notifier : ServiceLoader.load(Notifier.class, Notifiers.class.getClassLoader())) {
      found.put(notifier.type(), notifier);
    }
    return new Notifiers(Map.copyOf(found));
  }

  public Notifier get(String type) {
    Notifier notifier = byType.get(type);
    if (notifier == null) {
      throw new IllegalArgumentException("unknown notifier type '" + type + "' (known: " + String.join(", ", new TreeMap<>(byType).keySet()) + ")");
    }
    return notifier;
  }

  public boolean has(String type) {
    return byType.containsKey(type);
  }
}
