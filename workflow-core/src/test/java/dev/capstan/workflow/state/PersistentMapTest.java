package dev.capstan.workflow.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The persistent map behaves like a LinkedHashMap, and old versions never change. */
class PersistentMapTest {

    /** A key with a deliberately poor hash, so that collisions and deep tries are exercised. */
    record Key(int id, int hash) {
        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.id == id;
        }
    }

    /**
     * Ops are encoded as ints: op % 4 = put / put / remove / editor put-and-build; the key id is (op / 4) % 64,
     * and its hash is taken from a tiny range when {@code collide} so that many keys share a hash.
     */
    @Property(tries = 300)
    void behavesLikeALinkedHashMapAndOldVersionsStayUnchanged(
            @ForAll @Size(max = 200) List<@IntRange(max = 100_000) Integer> ops, @ForAll boolean collide) {
        PersistentMap<Key, Integer> map = PersistentMap.empty();
        Map<Key, Integer> model = new LinkedHashMap<>();
        List<PersistentMap<Key, Integer>> versions = new ArrayList<>();
        List<Map<Key, Integer>> snapshots = new ArrayList<>();
        for (int op : ops) {
            int id = (op / 4) % 64;
            Key key = new Key(id, collide ? id % 3 : Integer.rotateLeft(id * 0x9E3779B9, op % 32));
            key = model.keySet().stream().filter(k -> k.id == id).findFirst().orElse(key); // one hash per id
            switch (op % 4) {
                case 0, 1 -> {
                    map = map.plus(key, op);
                    model.put(key, op);
                }
                case 2 -> {
                    map = map.minus(key);
                    model.remove(key);
                }
                default -> {
                    PersistentMap.Editor<Key, Integer> ed = map.editor();
                    ed.put(key, op);
                    assertThat(ed.get(key)).isEqualTo(op);
                    map = ed.build();
                    model.put(key, op);
                }
            }
            versions.add(map);
            snapshots.add(new LinkedHashMap<>(model));
            assertThat(map.size()).isEqualTo(model.size());
            assertThat(map.get(key)).isEqualTo(model.get(key));
            assertThat(map.containsKey(key)).isEqualTo(model.containsKey(key));
        }
        assertThat(new ArrayList<>(map.entrySet())).containsExactlyElementsOf(model.entrySet());
        assertThat(map).isEqualTo(model);
        assertThat(map.hashCode()).isEqualTo(model.hashCode());
        for (int i = 0; i < versions.size(); i++) {
            assertThat(new ArrayList<>(versions.get(i).entrySet())).as("version %d", i)
                    .containsExactlyElementsOf(snapshots.get(i).entrySet());
        }
    }

    @Property(tries = 100)
    void anEditorOverAnEmptyMapBuildsInBulkInInsertionOrder(@ForAll @Size(max = 300) List<@IntRange(max = 500) Integer> keys) {
        PersistentMap.Editor<String, Integer> ed = PersistentMap.<String, Integer>empty().editor();
        Map<String, Integer> model = new LinkedHashMap<>();
        for (int k : keys) {
            ed.put("n" + k, k);
            model.put("n" + k, k);
        }
        PersistentMap<String, Integer> built = ed.build();
        assertThat(new ArrayList<>(built.entrySet())).containsExactlyElementsOf(model.entrySet());
        for (String k : model.keySet()) {
            assertThat(built.get(k)).isEqualTo(model.get(k));
        }
        assertThat(built.plus("new", 1).keySet()).endsWith("new");
    }

    @Test
    void replacingAValueKeepsTheKeysPlaceAndRemovingTheLastKeyGivesTheEmptyMap() {
        PersistentMap<String, Integer> m = PersistentMap.<String, Integer>empty().plus("a", 1).plus("b", 2).plus("a", 3);
        assertThat(m.keySet()).containsExactly("a", "b");
        assertThat(m.get("a")).isEqualTo(3);
        assertThat(m.minus("a").minus("b")).isEmpty();
        assertThat(m.minus("zzz")).isSameAs(m);
    }
}
