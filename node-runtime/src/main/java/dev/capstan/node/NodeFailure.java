package dev.capstan.node;

/** Thrown (or completed exceptionally) by a handler to fail the node with a stable error code. */
public class NodeFailure extends RuntimeException {

    private final transient NodeOutcome.NodeError error;

    public NodeFailure(String code, String message, boolean retryable) {
        super(message, null, false, false);
        this.error = NodeOutcome.NodeError.of(code, message, retryable);
    }

    public NodeOutcome.NodeError error() {
        return error;
    }
}
