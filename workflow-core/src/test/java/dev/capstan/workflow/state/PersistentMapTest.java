package dev.capstan.workflow.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The persistent map behaves like a LinkedHashMap, and old versions never change. The properties are seeded: each
 * try draws its case from a {@link SplittableRandom} with a fixed seed, and a failure prints the seed.
 */
class PersistentMapTest {

    /** Runs {@code property} for seeds {@code base .. base + tries - 1}; a failure names the seed. */
    private static void forSeeds(long base, int tries, Consumer<SplittableRandom> property) {
        for (long seed = base; seed < base + tries; seed++) {
            try {
                property.accept(new SplittableRandom(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed for seed " + seed + "\n" + e.getMessage(), e);
            }
        }
    }

    /** A list of ints in {@code 0..maxValue}: mostly short (up to 32), one in ten up to {@code maxSize} long. */
    private static List<Integer> ints(SplittableRandom r, int maxSize, int maxValue) {
        int size = r.nextInt(10) == 0 ? r.nextInt(maxSize + 1) : r.nextInt(33);
        List<Integer> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(r.nextInt(maxValue + 1));
        }
        return list;
    }

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
    @Test
    void behavesLikeALinkedHashMapAndOldVersionsStayUnchanged() {
        forSeeds(1_000L, 300, r -> {
            List<Integer> ops = ints(r, 200, 100_000);
            boolean collide = r.nextBoolean();
            check(ops, collide);
        });
    }

    private static void check(List<Integer> ops, boolean collide) {
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

    @Test
    void anEditorOverAnEmptyMapBuildsAMapInInsertionOrder() {
        forSeeds(2_000L, 100, r -> buildInBulk(ints(r, 300, 500)));
    }

    private static void buildInBulk(List<Integer> keys) {
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

    /**
     * A map an editor built from empty (a fold) is flat until it is changed: it must answer like the model, and the
     * maps derived from it by plus / minus must too, while it stays as it was.
     */
    @Test
    void aMapBuiltFromEmptyBehavesLikeALinkedHashMapBeforeAndAfterItIsChanged() {
        forSeeds(3_000L, 200, r -> {
            boolean collide = r.nextBoolean();
            PersistentMap.Editor<Key, Integer> ed = PersistentMap.<Key, Integer>empty().editor();
            Map<Key, Integer> model = new LinkedHashMap<>();
            Map<Integer, Key> keys = new java.util.HashMap<>();
            for (int v : ints(r, 3_000, 5_000)) {
                Key key = keys.computeIfAbsent(v % 700, id -> new Key(id, collide ? id % 5 : id * 0x9E3779B9));
                ed.put(key, v);
                model.put(key, v);
                assertThat(ed.get(key)).isEqualTo(v);
            }
            PersistentMap<Key, Integer> built = ed.build();
            Map<Key, Integer> before = new LinkedHashMap<>(model);
            assertThat(new ArrayList<>(built.entrySet())).containsExactlyElementsOf(model.entrySet());
            assertThat(built).isEqualTo(model);
            assertThat(built.hashCode()).isEqualTo(model.hashCode());
            for (Key k : keys.values()) {
                assertThat(built.get(k)).isEqualTo(model.get(k));
                assertThat(built.containsKey(k)).isEqualTo(model.containsKey(k));
            }
            PersistentMap<Key, Integer> m = built;
            for (int op : ints(r, 200, 100_000)) {
                Key key = keys.computeIfAbsent((op / 2) % 800, id -> new Key(id, collide ? id % 5 : id * 0x9E3779B9));
                if (op % 2 == 0) {
                    m = m.plus(key, op);
                    model.put(key, op);
                } else {
                    m = m.minus(key);
                    model.remove(key);
                }
                assertThat(m.get(key)).isEqualTo(model.get(key));
            }
            assertThat(new ArrayList<>(m.entrySet())).containsExactlyElementsOf(model.entrySet());
            assertThat(new ArrayList<>(built.entrySet())).as("the flat map is unchanged")
                    .containsExactlyElementsOf(before.entrySet());
        });
    }

    @Test
    void anEditorKeepsWorkingAfterItHandedItsTableToAFlatMap() {
        PersistentMap.Editor<String, Integer> ed = PersistentMap.<String, Integer>empty().editor();
        ed.put("a", 1);
        PersistentMap<String, Integer> first = ed.build();
        ed.put("b", 2);
        PersistentMap<String, Integer> second = ed.build();
        assertThat(first).containsExactly(Map.entry("a", 1));
        assertThat(second).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
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
