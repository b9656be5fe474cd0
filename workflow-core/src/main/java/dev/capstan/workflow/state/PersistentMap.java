package dev.capstan.workflow.state;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable map whose {@link #plus}/{@link #minus} return a new map sharing all but one path with the old one
 * (a hash array mapped trie), so updating one entry of a 10,000-entry map costs a handful of small array copies
 * instead of a full copy. That keeps a decision proportional to what it touches. Iterates in insertion order
 * (a replaced value keeps its key's place), like the {@code LinkedHashMap} it replaces; equality and hash code
 * are {@link Map}'s. Null keys are not allowed; null values are.
 */
public final class PersistentMap<K, V> extends AbstractMap<K, V> {

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(new Branch(0, new Object[0]), 0, 0);

    /** The trie; null while the map is flat. */
    private final Branch root;
    private final int size;
    private final long nextOrder;
    private volatile Leaf[] ordered; // built on first iteration
    /**
     * The flat form: the hash map an {@link Editor} filled from empty (a fold), handed over and never changed again.
     * Reading it costs what a hash map costs; the trie is built from it the first time the map is changed
     * ({@link #trie()}), so a fold of n events is O(n) and the O(n log n) trie build is paid only by a state that
     * is then decided on — once.
     */
    private final java.util.LinkedHashMap<K, V> flat;
    private volatile PersistentMap<K, V> trie;

    private PersistentMap(Branch root, int size, long nextOrder) {
        this.root = root;
        this.size = size;
        this.nextOrder = nextOrder;
        this.flat = null;
    }

    private PersistentMap(java.util.LinkedHashMap<K, V> flat) {
        this.root = null;
        this.size = flat.size();
        this.nextOrder = flat.size();
        this.flat = flat;
    }

    /** This map as a trie (itself unless it is flat; a flat map converts once and keeps the result). */
    private PersistentMap<K, V> trie() {
        if (flat == null) {
            return this;
        }
        PersistentMap<K, V> t = trie;
        if (t == null) {
            trie = t = bulk(flat);
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    /** The map itself when it already is one; otherwise a copy in the source's iteration order. */
    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> copyOf(Map<? extends K, ? extends V> source) {
        if (source instanceof PersistentMap<?, ?> p) {
            return (PersistentMap<K, V>) p;
        }
        PersistentMap<K, V> m = empty();
        for (Map.Entry<? extends K, ? extends V> e : source.entrySet()) {
            m = m.plus(e.getKey(), e.getValue());
        }
        return m;
    }

    /** This map with {@code key} bound to {@code value}; a new key goes last in iteration order. */
    public PersistentMap<K, V> plus(K key, V value) {
        Objects.requireNonNull(key, "key");
        if (flat != null) {
            return trie().plus(key, value);
        }
        int hash = spread(key.hashCode());
        Leaf[] replaced = new Leaf[1];
        Branch r = insert(root, 0, new Leaf(key, value, hash, nextOrder), replaced);
        if (replaced[0] != null) {
            return replaced[0].value == value ? this : new PersistentMap<>(r, size, nextOrder);
        }
        return new PersistentMap<>(r, size + 1, nextOrder + 1);
    }

    /** This map without {@code key} (itself when the key is absent). */
    public PersistentMap<K, V> minus(Object key) {
        if (key == null) {
            return this;
        }
        if (flat != null) {
            return flat.containsKey(key) ? trie().minus(key) : this;
        }
        Object r = remove(root, 0, spread(key.hashCode()), key);
        if (r == root) {
            return this;
        }
        return size == 1 ? empty() : new PersistentMap<>((Branch) r, size - 1, nextOrder);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        if (flat != null) {
            return flat.get(key);
        }
        Leaf l = find(key);
        return l == null ? null : (V) l.value;
    }

    @Override
    public boolean containsKey(Object key) {
        return flat != null ? flat.containsKey(key) : find(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        if (flat != null) {
            return java.util.Collections.unmodifiableMap(flat).entrySet();
        }
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                Leaf[] leaves = ordered();
                return new Iterator<>() {
                    int i;

                    @Override
                    public boolean hasNext() {
                        return i < leaves.length;
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public Map.Entry<K, V> next() {
                        if (i >= leaves.length) {
                            throw new NoSuchElementException();
                        }
                        Leaf l = leaves[i++];
                        return new SimpleImmutableEntry<>((K) l.key, (V) l.value);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** An editor over this map: cheap reads and writes while a state is being built, one merge at the end. */
    public Editor<K, V> editor() {
        return new Editor<>(this);
    }

    /**
     * Mutable changes over a persistent base. Folding a long log changes thousands of entries; doing that with
     * {@link #plus} would copy a trie path per event, so the changes collect in a hash map and are merged once,
     * by {@link #build()}. Over an empty base (a fold from the start) the hash map itself becomes the built map,
     * in its flat form: building costs nothing, so a fold stays linear in its events.
     */
    public static final class Editor<K, V> {
        private PersistentMap<K, V> base;
        private java.util.LinkedHashMap<K, V> changes = new java.util.LinkedHashMap<>();

        Editor(PersistentMap<K, V> base) {
            this.base = base;
        }

        public V get(Object key) {
            V v = changes.get(key);
            return v != null || changes.containsKey(key) ? v : base.get(key);
        }

        public void put(K key, V value) {
            Objects.requireNonNull(key, "key");
            changes.put(key, value);
        }

        public boolean isEmpty() {
            return base.isEmpty() && changes.isEmpty();
        }

        public PersistentMap<K, V> build() {
            if (changes.isEmpty()) {
                return base;
            }
            PersistentMap<K, V> m;
            if (base.isEmpty()) {
                m = new PersistentMap<>(changes); // the map now owns it: this editor starts a new one
                changes = new java.util.LinkedHashMap<>();
            } else {
                m = base;
                for (Map.Entry<K, V> e : changes.entrySet()) {
                    m = m.plus(e.getKey(), e.getValue());
                }
                changes.clear();
            }
            base = m;
            return m;
        }
    }

    /** A map of the entries in their iteration order, built level by level without copying paths. */
    private static <K, V> PersistentMap<K, V> bulk(Map<K, V> entries) {
        Leaf[] leaves = new Leaf[entries.size()];
        int i = 0;
        for (Map.Entry<K, V> e : entries.entrySet()) {
            leaves[i] = new Leaf(e.getKey(), e.getValue(), spread(e.getKey().hashCode()), i);
            i++;
        }
        Object root = bulkNode(leaves, 0);
        Branch b = root instanceof Branch rb ? rb : null;
        if (b == null) {
            // A single leaf or collision at the top: wrap it so the root is always a branch.
            int h = root instanceof Leaf l ? l.hash : ((Collision) root).hash;
            b = new Branch(1 << (h & MASK), new Object[] {root});
        }
        return new PersistentMap<>(b, leaves.length, leaves.length);
    }

    private static Object bulkNode(Leaf[] leaves, int shift) {
        if (leaves.length == 1) {
            return leaves[0];
        }
        boolean sameHash = true;
        for (Leaf l : leaves) {
            sameHash &= l.hash == leaves[0].hash;
        }
        if (sameHash) {
            return new Collision(leaves[0].hash, leaves);
        }
        int[] counts = new int[1 << BITS];
        for (Leaf l : leaves) {
            counts[(l.hash >>> shift) & MASK]++;
        }
        int bitmap = 0;
        int groups = 0;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                bitmap |= 1 << c;
                groups++;
            }
        }
        Object[] slots = new Object[groups];
        Leaf[][] byChunk = new Leaf[1 << BITS][];
        int[] fill = new int[1 << BITS];
        for (Leaf l : leaves) {
            int c = (l.hash >>> shift) & MASK;
            if (byChunk[c] == null) {
                byChunk[c] = new Leaf[counts[c]];
            }
            byChunk[c][fill[c]++] = l;
        }
        int k = 0;
        for (int c = 0; c < byChunk.length; c++) {
            if (byChunk[c] != null) {
                slots[k++] = bulkNode(byChunk[c], shift + BITS);
            }
        }
        return new Branch(bitmap, slots);
    }

    // ------------------------------------------------------------------ trie

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    private Leaf find(Object key) {
        if (key == null) {
            return null;
        }
        int hash = spread(key.hashCode());
        Object node = root;
        int shift = 0;
        while (true) {
            if (node instanceof Branch b) {
                int bit = 1 << ((hash >>> shift) & MASK);
                if ((b.bitmap & bit) == 0) {
                    return null;
                }
                node = b.slots[Integer.bitCount(b.bitmap & (bit - 1))];
                shift += BITS;
            } else if (node instanceof Leaf l) {
                return l.hash == hash && l.key.equals(key) ? l : null;
            } else {
                Collision c = (Collision) node;
                if (c.hash != hash) {
                    return null;
                }
                for (Leaf l : c.leaves) {
                    if (l.key.equals(key)) {
                        return l;
                    }
                }
                return null;
            }
        }
    }

    private static Branch insert(Branch b, int shift, Leaf leaf, Leaf[] replaced) {
        int bit = 1 << ((leaf.hash >>> shift) & MASK);
        int idx = Integer.bitCount(b.bitmap & (bit - 1));
        if ((b.bitmap & bit) == 0) {
            Object[] slots = new Object[b.slots.length + 1];
            System.arraycopy(b.slots, 0, slots, 0, idx);
            slots[idx] = leaf;
            System.arraycopy(b.slots, idx, slots, idx + 1, b.slots.length - idx);
            return new Branch(b.bitmap | bit, slots);
        }
        Object child = b.slots[idx];
        Object updated;
        if (child instanceof Branch cb) {
            updated = insert(cb, shift + BITS, leaf, replaced);
        } else if (child instanceof Leaf l) {
            if (l.hash == leaf.hash && l.key.equals(leaf.key)) {
                replaced[0] = l;
                updated = new Leaf(l.key, leaf.value, l.hash, l.order);
            } else {
                updated = merge(l, l.hash, leaf, shift + BITS);
            }
        } else {
            Collision c = (Collision) child;
            updated = c.hash == leaf.hash ? c.with(leaf, replaced) : merge(c, c.hash, leaf, shift + BITS);
        }
        Object[] slots = b.slots.clone();
        slots[idx] = updated;
        return new Branch(b.bitmap, slots);
    }

    /** A subtrie holding {@code existing} (a leaf or a collision with hash {@code existingHash}) and {@code leaf}. */
    private static Object merge(Object existing, int existingHash, Leaf leaf, int shift) {
        if (existingHash == leaf.hash) {
            Leaf[] pair = existing instanceof Collision c ? c.leaves : new Leaf[] {(Leaf) existing};
            Leaf[] leaves = Arrays.copyOf(pair, pair.length + 1);
            leaves[pair.length] = leaf;
            return new Collision(leaf.hash, leaves);
        }
        int a = (existingHash >>> shift) & MASK;
        int b = (leaf.hash >>> shift) & MASK;
        if (a == b) {
            return new Branch(1 << a, new Object[] {merge(existing, existingHash, leaf, shift + BITS)});
        }
        return a < b ? new Branch((1 << a) | (1 << b), new Object[] {existing, leaf})
                : new Branch((1 << a) | (1 << b), new Object[] {leaf, existing});
    }

    /** Returns {@code node} itself when the key is absent, null when the node became empty. */
    private static Object remove(Object node, int shift, int hash, Object key) {
        if (node instanceof Leaf l) {
            return l.hash == hash && l.key.equals(key) ? null : l;
        }
        if (node instanceof Collision c) {
            if (c.hash != hash) {
                return c;
            }
            return c.without(key);
        }
        Branch b = (Branch) node;
        int bit = 1 << ((hash >>> shift) & MASK);
        if ((b.bitmap & bit) == 0) {
            return b;
        }
        int idx = Integer.bitCount(b.bitmap & (bit - 1));
        Object child = b.slots[idx];
        Object updated = remove(child, shift + BITS, hash, key);
        if (updated == child) {
            return b;
        }
        if (updated == null || (updated instanceof Branch ub && ub.bitmap == 0)) {
            Object[] slots = new Object[b.slots.length - 1];
            System.arraycopy(b.slots, 0, slots, 0, idx);
            System.arraycopy(b.slots, idx + 1, slots, idx, b.slots.length - idx - 1);
            return new Branch(b.bitmap & ~bit, slots);
        }
        Object[] slots = b.slots.clone();
        slots[idx] = updated;
        return new Branch(b.bitmap, slots);
    }

    private Leaf[] ordered() {
        Leaf[] o = ordered;
        if (o == null) {
            Leaf[] all = new Leaf[size];
            int[] n = {0};
            collect(root, all, n);
            Arrays.sort(all, Comparator.comparingLong(l -> l.order));
            ordered = o = all;
        }
        return o;
    }

    private static void collect(Object node, Leaf[] into, int[] n) {
        if (node instanceof Leaf l) {
            into[n[0]++] = l;
        } else if (node instanceof Collision c) {
            for (Leaf l : c.leaves) {
                into[n[0]++] = l;
            }
        } else {
            for (Object child : ((Branch) node).slots) {
                collect(child, into, n);
            }
        }
    }

    private static final class Leaf {
        final Object key;
        final Object value;
        final int hash;
        final long order;

        Leaf(Object key, Object value, int hash, long order) {
            this.key = key;
            this.value = value;
            this.hash = hash;
            this.order = order;
        }
    }

    private static final class Branch {
        final int bitmap;
        final Object[] slots;

        Branch(int bitmap, Object[] slots) {
            this.bitmap = bitmap;
            this.slots = slots;
        }
    }

    /** Keys whose full hashes are equal. */
    private static final class Collision {
        final int hash;
        final Leaf[] leaves;

        Collision(int hash, Leaf[] leaves) {
            this.hash = hash;
            this.leaves = leaves;
        }

        Collision with(Leaf leaf, Leaf[] replaced) {
            for (int i = 0; i < leaves.length; i++) {
                if (leaves[i].key.equals(leaf.key)) {
                    replaced[0] = leaves[i];
                    Leaf[] copy = leaves.clone();
                    copy[i] = new Leaf(leaves[i].key, leaf.value, hash, leaves[i].order);
                    return new Collision(hash, copy);
                }
            }
            Leaf[] copy = Arrays.copyOf(leaves, leaves.length + 1);
            copy[leaves.length] = leaf;
            return new Collision(hash, copy);
        }

        Object without(Object key) {
            for (int i = 0; i < leaves.length; i++) {
                if (leaves[i].key.equals(key)) {
                    if (leaves.length == 2) {
                        return leaves[1 - i];
                    }
                    Leaf[] copy = new Leaf[leaves.length - 1];
                    System.arraycopy(leaves, 0, copy, 0, i);
                    System.arraycopy(leaves, i + 1, copy, i, leaves.length - i - 1);
                    return new Collision(hash, copy);
                }
            }
            return this;
        }
    }
}
