package dev.capstan.webhook.service;

import dev.capstan.webhook.messaging.RunEventsMessage;
import dev.capstan.webhook.messaging.RunEventsMessage.Event;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Decides which events of one {@code capstan.run.events} record go to which of the tenant's subscriptions, and
 * what to remember about the run for its later records. Pure: the caller loads the subscriptions (already
 * scoped to the record's tenant) and the remembered run, and performs the plan.
 *
 * <ul>
 *   <li>An event goes to a subscription that wants its type ({@code *} = all types), whose tags are empty or
 *       overlap the run's tags, and that existed when the event happened (a new subscription is not sent a
 *       backlog).</li>
 *   <li>The run's tags come from its {@code run.started} payload. A run whose start was not seen (no remembered
 *       row: the record was lost or purged) has unknown tags: untagged subscriptions still get its events,
 *       tagged ones do not, since no overlap can be shown.</li>
 *   <li>A fork's log begins with the source's events, then {@code capstan.run.forked} at sequence
 *       {@code fromSeq}. Everything before that marker is copied history, already delivered for the source run,
 *       and is never delivered again (OpenWOP replay.md: fan-out of fixed history is an external effect). The
 *       marker's sequence is remembered so a later record cannot deliver copied events either.</li>
 * </ul>
 */
public final class EventRouting {

    public static final String RUN_STARTED = "run.started";
    /** run-service's fork marker (workflow-core {@code EventTypes.RUN_FORKED}). */
    public static final String RUN_FORKED = "capstan.run.forked";
    private static final Set<String> TERMINAL = Set.of("run.completed", "run.failed", "run.cancelled");

    private EventRouting() {
    }

    /** What the dispatcher keeps about a run between records; {@code tags} null when unknown. */
    public record KnownRun(List<String> tags, long liveFromSequence) {
        public KnownRun {
            tags = tags == null ? null : List.copyOf(tags);
        }
    }

    /** One event and the subscriptions it goes to. */
    public record EventDeliveries(Event event, List<Subscription> subscriptions) {
        public EventDeliveries {
            subscriptions = List.copyOf(subscriptions);
        }
    }

    /**
     * @param remember the run's row to write (tags seen in run.started, or a fork marker), else null
     * @param forget   the run ended: its row can go
     */
    public record Plan(KnownRun remember, boolean forget, List<EventDeliveries> deliveries) {
        public Plan {
            deliveries = List.copyOf(deliveries);
        }
    }

    public static Plan plan(RunEventsMessage message, KnownRun known, Collection<Subscription> subscriptions) {
        long liveFrom = known == null ? 0 : known.liveFromSequence();
        List<String> tags = known == null ? null : known.tags();
        boolean learned = false;
        for (Event e : message.events()) {
            if (RUN_FORKED.equals(e.type())) {
                liveFrom = Math.max(liveFrom, e.sequence());
                learned = true;
            }
        }
        boolean ended = false;
        List<EventDeliveries> deliveries = new ArrayList<>();
        for (Event e : message.events()) {
            if (RUN_STARTED.equals(e.type())) {
                // Also a fork's copied run.started: the fork runs with its source's tags.
                tags = e.payloadTags();
                learned = true;
            }
            if (TERMINAL.contains(e.type()) && e.sequence() >= liveFrom) {
                ended = true;
            }
            if (e.sequence() < liveFrom) {
                continue;
            }
            List<Subscription> to = new ArrayList<>();
            for (Subscription s : subscriptions) {
                if (s.tenantId().equals(message.tenantId()) && matches(s, e, tags)) {
                    to.add(s);
                }
            }
            if (!to.isEmpty()) {
                deliveries.add(new EventDeliveries(e, to));
            }
        }
        KnownRun remember = learned && !ended ? new KnownRun(tags == null ? List.of() : tags, liveFrom) : null;
        return new Plan(remember, ended && known != null, deliveries);
    }

    static boolean matches(Subscription s, Event e, List<String> runTags) {
        if (!s.wants(e.type())) {
            return false;
        }
        if (e.timestamp() != null && s.createdAt() != null && e.timestamp().isBefore(s.createdAt())) {
            return false;
        }
        if (s.tags().isEmpty()) {
            return true;
        }
        return runTags != null && runTags.stream().anyMatch(s.tags()::contains);
    }
}
