package dev.capstan.workflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Frozen values read like the maps and lists they were made from, whether small (one array) or large (a hash map). */
class ValuesTest {

    @Test
    void aFrozenMapOfAnySizeKeepsOrderEntriesAndEqualityAndIsNotCopiedAgain() {
        for (long seed = 5_000L; seed < 5_200L; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Map<String, Object> source = new LinkedHashMap<>();
            int size = r.nextInt(r.nextBoolean() ? 12 : 40);
            for (int i = 0; i < size; i++) {
                source.put("k" + r.nextInt(60), r.nextInt(3) == 0 ? null : (Object) r.nextInt(100));
            }
            Map<String, Object> frozen = Values.freezeMap(source);
            Map<String, Object> expected = new LinkedHashMap<>();
            source.forEach((k, v) -> expected.put(k, v == null ? null : ((Integer) v).longValue()));
            assertThat(new ArrayList<>(frozen.entrySet())).as("seed %d", seed).containsExactlyElementsOf(expected.entrySet());
            assertThat(frozen).isEqualTo(expected);
            assertThat(frozen.hashCode()).isEqualTo(expected.hashCode());
            for (int k = 0; k < 60; k++) {
                assertThat(frozen.get("k" + k)).isEqualTo(expected.get("k" + k));
                assertThat(frozen.containsKey("k" + k)).isEqualTo(expected.containsKey("k" + k));
            }
            if (!frozen.isEmpty()) { // an empty one is Map.of(), which refuses null keys
                assertThat(frozen.get(null)).isNull();
                assertThat(Values.freeze(frozen)).isSameAs(frozen);
            }
        }
    }

    @Test
    void keysWithTheSameTextMergeAndTheLaterValueWins() {
        Map<Object, Object> source = new LinkedHashMap<>();
        source.put(1, "int");
        source.put("b", "b");
        source.put("1", "text");
        assertThat(Values.freeze(source)).isEqualTo(Map.of("1", "text", "b", "b"));
        assertThat(new ArrayList<>(Values.asMap(Values.freeze(source)).keySet())).containsExactly("1", "b");
    }

    @Test
    void frozenValuesCannotBeChanged() {
        Map<String, Object> small = Values.freezeMap(Map.of("a", List.of(1, 2)));
        assertThatThrownBy(() -> small.put("b", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> small.entrySet().iterator().next().setValue(1))
                .isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) small.get("a");
        assertThat(list).containsExactly(1L, 2L);
        assertThatThrownBy(() -> list.add(3)).isInstanceOf(UnsupportedOperationException.class);
    }
}
