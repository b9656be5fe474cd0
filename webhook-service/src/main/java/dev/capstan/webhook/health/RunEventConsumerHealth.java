package dev.capstan.webhook.health;

import dev.capstan.webhook.messaging.RunEventListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Down when the run event consumer thread has stopped: nothing would be delivered until a restart. */
@Liveness
@ApplicationScoped
public class RunEventConsumerHealth implements HealthCheck {

    private final RunEventListener listener;

    public RunEventConsumerHealth(RunEventListener listener) {
        this.listener = listener;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("capstan.run.events consumer").status(listener.consuming()).build();
    }
}
