package io.mirador.hub.events;

import io.mirador.model.Sample;
import java.util.List;

/**
 * Samples of one agent were stored that some alert rule names (only those: the engine filters with the
 * {@link io.mirador.hub.alert.AlertIndex}, so samples no rule names are never published).
 */
public record SamplesStored(String agent, List<Sample> samples) implements HubEvent {
}
