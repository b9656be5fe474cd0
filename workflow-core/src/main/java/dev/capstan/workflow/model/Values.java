package dev.capstan.workflow.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import java.util.Set;

/**
 * JSON-like values as plain immutable Java: {@code Map<String,Object>} (insertion-ordered), {@code List<Object>},
 * {@code String}, {@code Long}, {@code Double}, {@code Boolean} and {@code null}. Numbers are normalised to
 * Long or Double so that equality and CEL evaluation behave the same whatever parsed them.
 */
public final class Values {

    private Values() {
    }

    /** Deep, immutable copy with normalised numbers; a value this method already froze is returned as it is. */
    public static Object freeze(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof FrozenMap
                || value instanceof FrozenList) {
            return value;
        }
        if (value instanceof Number n) {
            return normaliseNumber(n);
        }
        if (value instanceof Map<?, ?> map) {
            if (map.size() <= FrozenMap.SMALL) {
                return FrozenMap.small(map);
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
            }
            return new FrozenMap(copy);
        }
        if (value instanceof List<?> list) {
            Object[] copy = new Object[list.size()];
            int i = 0;
            for (Object o : list) {
                copy[i++] = freeze(o);
            }
            return new FrozenList(copy);
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value.toString();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> freezeMap(Map<String, ?> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        return (Map<String, Object>) freeze(map);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    public static Object normaliseNumber(Number n) {
        if (n instanceof Long || n instanceof Double) {
            return n;
        }
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.longValue();
        }
        if (n instanceof Float f) {
            return f.doubleValue();
        }
        if (n instanceof BigInteger bi) {
            return bi.bitLength() < 64 ? (Object) bi.longValue() : (Object) bi.doubleValue();
        }
        if (n instanceof BigDecimal bd) {
            if (bd.signum() == 0 || bd.stripTrailingZeros().scale() <= 0) {
                try {
                    return bd.longValueExact();
                } catch (ArithmeticException tooBig) {
                    return bd.doubleValue();
                }
            }
            return bd.doubleValue();
        }
        return n.doubleValue();
    }

    /** Reads a dotted path ("a.b.c") from nested maps; null when any step is missing. */
    public static Object path(Object root, String dotted) {
        Object cur = root;
        for (String part : dotted.split("\\.")) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(part);
        }
        return cur;
    }

    public static Long asLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        if (o instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }

    public static Double asDouble(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }

    /**
     * A frozen map. A type of its own so that freezing a value again (every event payload, every state built by
     * the decider) is free instead of a deep copy. Up to {@link #SMALL} entries (event payloads, most outputs) it is
     * one array of alternating keys and values, searched in order: reading a field of a payload then touches two
     * objects instead of a hash map's four or five, which is what a fold of a long log spends its time on (memory
     * that is not in the CPU caches). Larger maps keep a hash map.
     */
    private static final class FrozenMap extends AbstractMap<String, Object> {
        static final int SMALL = 10;

        /** Small form: k0, v0, k1, v1, … in insertion order; null in the large form. */
        private final Object[] pairs;
        /** Large form (insertion-ordered); null in the small form. */
        private final Map<String, Object> map;

        FrozenMap(Map<String, Object> map) {
            this.pairs = null;
            this.map = map;
        }

        private FrozenMap(Object[] pairs) {
            this.pairs = pairs;
            this.map = null;
        }

        static FrozenMap small(Map<?, ?> source) {
            Object[] pairs = new Object[source.size() * 2];
            int n = 0;
            for (Map.Entry<?, ?> e : source.entrySet()) {
                String key = String.valueOf(e.getKey());
                Object value = freeze(e.getValue());
                int at = indexOf(pairs, n, key);
                if (at >= 0) {
                    pairs[at + 1] = value; // two keys with the same text: the later wins, as in a map copy
                } else {
                    pairs[n] = key;
                    pairs[n + 1] = value;
                    n += 2;
                }
            }
            return new FrozenMap(n == pairs.length ? pairs : Arrays.copyOf(pairs, n));
        }

        private static int indexOf(Object[] pairs, int length, Object key) {
            for (int i = 0; i < length; i += 2) {
                Object k = pairs[i];
                if (k == key || k.equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public Object get(Object key) {
            if (pairs == null) {
                return map.get(key);
            }
            int at = key == null ? -1 : indexOf(pairs, pairs.length, key);
            return at < 0 ? null : pairs[at + 1];
        }

        @Override
        public boolean containsKey(Object key) {
            if (pairs == null) {
                return map.containsKey(key);
            }
            return key != null && indexOf(pairs, pairs.length, key) >= 0;
        }

        @Override
        public int size() {
            return pairs == null ? map.size() : pairs.length / 2;
        }

        @Override
        public boolean isEmpty() {
            return size() == 0;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            if (pairs == null) {
                return Collections.unmodifiableMap(map).entrySet();
            }
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return new Iterator<>() {
                        int i;

                        @Override
                        public boolean hasNext() {
                            return i < pairs.length;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (i >= pairs.length) {
                                throw new NoSuchElementException();
                            }
                            Entry<String, Object> e = new SimpleImmutableEntry<>((String) pairs[i], pairs[i + 1]);
                            i += 2;
                            return e;
                        }
                    };
                }

                @Override
                public int size() {
                    return pairs.length / 2;
                }
            };
        }
    }

    /** A frozen list (see {@link FrozenMap}): the elements in an array of their own. */
    private static final class FrozenList extends AbstractList<Object> implements RandomAccess {
        private final Object[] elements;

        FrozenList(Object[] elements) {
            this.elements = elements;
        }

        @Override
        public Object get(int index) {
            return elements[index];
        }

        @Override
        public int size() {
            return elements.length;
        }
    }
}
