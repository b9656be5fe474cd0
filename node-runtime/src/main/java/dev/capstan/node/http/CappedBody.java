package dev.capstan.node.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Collects a response body up to a cap; past it, stops reading and reports the body as too large. */
public final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Body> {

    public record Body(byte[] bytes, boolean tooLarge) {
    }

    private final int cap;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    public CappedBody(int cap) {
        this.cap = cap;
    }

    public static HttpResponse.BodyHandler<Body> handler(int cap) {
        return info -> new CappedBody(cap);
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            out.write(chunk, 0, chunk.length);
        }
        if (out.size() > cap) {
            result.complete(new Body(java.util.Arrays.copyOf(out.toByteArray(), cap), true));
            subscription.cancel();
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(new Body(out.toByteArray(), false));
    }
}
