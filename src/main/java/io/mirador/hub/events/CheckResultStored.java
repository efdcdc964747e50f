package io.mirador.hub.events;

import java.util.List;

/**
 * A result of a check that some alert rule names was stored; {@code history} is the check's last statuses on the agent
 * (oldest first, this one last, as kept by the store), so "3 occurrences" survives a takeover of the alert role.
 */
public record CheckResultStored(String agent, String check, int status, String output, long executed, List<Integer> history)
    implements HubEvent {
}
