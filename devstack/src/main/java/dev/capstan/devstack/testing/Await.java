package dev.capstan.devstack.testing;

import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for an observable condition; the bound only keeps a broken build from hanging, it is not asserted. */
public final class Await {

    private static final long BOUND_MS = 120_000;

    private Await() {
    }

    public static <T> T until(Supplier<T> probe, Predicate<T> done, String what) {
        long end = System.currentTimeMillis() + BOUND_MS;
        T last = probe.get();
        while (!done.test(last)) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("Gave up waiting for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = probe.get();
        }
        return last;
    }
}
