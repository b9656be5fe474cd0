package dev.capstan.webhook.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.webhook.messaging.RunEventsMessage;
import dev.capstan.webhook.service.EventRouting.EventDeliveries;
import dev.capstan.webhook.service.EventRouting.KnownRun;
import dev.capstan.webhook.service.EventRouting.Plan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventRoutingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant LATER = Instant.parse("2026-01-02T00:00:00Z");

    private static Subscription sub(String id, String tenant, Set<String> types, Set<String> tags) {
        return new Subscription(id, tenant, "https://hooks.example.com/" + id, types, tags, "whsec_x", CREATED);
    }

    private static Map<String, Object> event(long seq, String type, Map<String, Object> payload, Instant at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("eventId", "e" + seq);
        e.put("runId", "run-1");
        e.put("type", type);
        e.put("payload", payload);
        e.put("timestamp", at.toString());
        e.put("sequence", seq);
        return e;
    }

    private static Map<String, Object> event(long seq, String type) {
        return event(seq, type, Map.of(), LATER);
    }

    private static RunEventsMessage message(String tenant, List<Map<String, Object>> events) {
        return RunEventsMessage.read(JSON.valueToTree(Map.of("v", 1, "tenantId", tenant, "runId", "run-1", "events", events)));
    }

    /** (sequence → subscription ids) of a plan. */
    private static Map<Long, List<String>> routes(Plan plan) {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        for (EventDeliveries d : plan.deliveries()) {
            List<String> ids = new ArrayList<>(d.subscriptions().stream().map(Subscription::id).sorted().toList());
            out.put(d.event().sequence(), ids);
        }
        return out;
    }

    @Test
    void eventsGoToSubscriptionsOfTheirTypeAndTheWildcardTakesEveryType() {
        Plan plan = EventRouting.plan(message("t", List.of(
                        event(0, "run.started", Map.of("tags", List.of()), LATER), event(1, "node.completed"), event(2, "run.completed"))),
                null, List.of(sub("done", "t", Set.of("run.completed"), Set.of()), sub("all", "t", Set.of("*"), Set.of())));
        assertThat(routes(plan)).containsExactly(Map.entry(0L, List.of("all")), Map.entry(1L, List.of("all")),
                Map.entry(2L, List.of("all", "done")));
    }

    @Test
    void taggedSubscriptionsGetOnlyRunsWithAnOverlappingTag() {
        List<Subscription> subs = List.of(sub("prod", "t", Set.of("*"), Set.of("prod", "eu")), sub("any", "t", Set.of("*"), Set.of()));
        Plan dev = EventRouting.plan(message("t", List.of(event(0, "run.started", Map.of("tags", List.of("dev")), LATER))), null, subs);
        Plan eu = EventRouting.plan(message("t", List.of(event(0, "run.started", Map.of("tags", List.of("eu", "x")), LATER))), null, subs);
        assertThat(routes(dev)).containsExactly(Map.entry(0L, List.of("any")));
        assertThat(routes(eu)).containsExactly(Map.entry(0L, List.of("any", "prod")));
        assertThat(eu.remember()).isEqualTo(new KnownRun(List.of("eu", "x"), 0));
    }

    @Test
    void laterRecordsUseTheRememberedTagsAndAnUnseenStartMatchesOnlyUntaggedSubscriptions() {
        List<Subscription> subs = List.of(sub("prod", "t", Set.of("*"), Set.of("prod")), sub("any", "t", Set.of("*"), Set.of()));
        RunEventsMessage later = message("t", List.of(event(5, "node.completed")));
        assertThat(routes(EventRouting.plan(later, new KnownRun(List.of("prod"), 0), subs)))
                .containsExactly(Map.entry(5L, List.of("any", "prod")));
        Plan unknown = EventRouting.plan(later, null, subs);
        assertThat(routes(unknown)).containsExactly(Map.entry(5L, List.of("any")));
        assertThat(unknown.remember()).isNull();
    }

    @Test
    void anotherTenantsSubscriptionNeverMatches() {
        Plan plan = EventRouting.plan(message("tenant-a", List.of(event(1, "run.completed"))), null,
                List.of(sub("b", "tenant-b", Set.of("*"), Set.of())));
        assertThat(plan.deliveries()).isEmpty();
    }

    @Test
    void eventsOlderThanTheSubscriptionAreNotSent() {
        Plan plan = EventRouting.plan(message("t", List.of(event(1, "run.completed", Map.of(), CREATED.minusSeconds(1)))), null,
                List.of(sub("s", "t", Set.of("*"), Set.of())));
        assertThat(plan.deliveries()).isEmpty();
    }

    @Test
    void aForksCopiedHistoryIsSkippedButItsTagsAndBoundaryAreRemembered() {
        List<Subscription> subs = List.of(sub("s", "t", Set.of("*"), Set.of("x")));
        Plan first = EventRouting.plan(message("t", List.of(event(0, "run.started", Map.of("tags", List.of("x")), LATER),
                event(1, "node.completed"), event(2, "node.completed"), event(3, "capstan.run.forked"), event(4, "node.started"))),
                null, subs);
        assertThat(routes(first)).containsOnlyKeys(3L, 4L);
        assertThat(first.remember()).isEqualTo(new KnownRun(List.of("x"), 3));
        // A later record repeating copied events (a republished prefix) still does not deliver them.
        Plan again = EventRouting.plan(message("t", List.of(event(2, "node.completed"), event(5, "node.completed"))),
                first.remember(), subs);
        assertThat(routes(again)).containsOnlyKeys(5L);
    }

    @Test
    void theRunIsForgottenAtItsEndAndNotRememberedWhenItEndsInTheRecordItStarted() {
        Plan whole = EventRouting.plan(message("t", List.of(event(0, "run.started", Map.of("tags", List.of()), LATER),
                event(1, "run.completed"))), null, List.of());
        assertThat(whole.remember()).isNull();
        assertThat(whole.forget()).isFalse();
        Plan end = EventRouting.plan(message("t", List.of(event(4, "run.failed"))), new KnownRun(List.of(), 0), List.of());
        assertThat(end.forget()).isTrue();
        // A forked run's copied history may not end it (a fork never copies a terminal event, but be strict).
        Plan copiedEnd = EventRouting.plan(message("t", List.of(event(1, "run.cancelled"))), new KnownRun(List.of(), 3), List.of());
        assertThat(copiedEnd.forget()).isFalse();
    }
}
