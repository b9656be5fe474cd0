package dev.capstan.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cancel signal of one attempt. Handlers register what stops their work (kill a process tree, abort a
 * request); a hook registered after the cancel runs at once, so a handler that starts late cannot miss it.
 */
public final class Cancellation {

    private final List<Runnable> hooks = new ArrayList<>();
    private String reason;

    /** Registers what to do on cancel; runs it now if the attempt is already cancelled. */
    public void onCancel(Runnable hook) {
        synchronized (this) {
            if (reason == null) {
                hooks.add(hook);
                return;
            }
        }
        hook.run();
    }

    /** Cancels the attempt; true for the first call, false when it was already cancelled. */
    public boolean cancel(String why) {
        List<Runnable> run;
        synchronized (this) {
            if (reason != null) {
                return false;
            }
            reason = why == null || why.isBlank() ? "cancelled" : why;
            run = List.copyOf(hooks);
            hooks.clear();
        }
        for (Runnable hook : run) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                // One hook failing (a process already gone) must not keep the others from stopping their work.
            }
        }
        return true;
    }

    public synchronized boolean isCancelled() {
        return reason != null;
    }

    public synchronized Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** Throws the node's {@code node_cancelled} failure when the attempt was cancelled. */
    public void throwIfCancelled() {
        if (isCancelled()) {
            throw cancelledFailure(reason().orElse("cancelled"));
        }
    }

    static NodeFailure cancelledFailure(String reason) {
        return new NodeFailure("node_cancelled", "The attempt was cancelled (" + reason + ").", false);
    }
}
