package io.mirador.hub.alert.pipeline;

import io.mirador.hub.alert.AlertState;
import io.mirador.hub.alert.Silence;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Stage 2, silences: an alert matched by an active silence notifies nobody; the API shows it with the silences' ids. */
public final class Silencer {

  private Silencer() {
  }

  public static List<String> silencedBy(Map<String, String> labels, Collection<Silence> silences, long now) {
    List<String> ids = new ArrayList<>();
    for (Silence silence : silences) {
      if (silence.active(now) && silence.silences(labels)) {
        ids.add(silence.id());
      }
    }
    return ids;
  }

  public static List<AlertState> filter(List<AlertState> alerts, Collection<Silence> silences, long now) {
    if (silences.isEmpty()) {
      return alerts;
    }
    return alerts.stream().filter(a -> silencedBy(a.labels(), silences, now).isEmpty()).toList();
  }
}
