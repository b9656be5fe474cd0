package dev.capstan.executor.rest;

import dev.capstan.common.messaging.Topics;
import dev.capstan.executor.config.ExecutorConfig;
import dev.capstan.executor.messaging.ExecutorRuntime;
import dev.capstan.node.NodeHandlerRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;

/** Operational facts about this executor instance, for operators and the platform's status page. */
@Path("/executor/info")
@Produces(MediaType.APPLICATION_JSON)
public class ExecutorInfoResource {

    public record ExecutorInfo(int maxInFlight, int inFlight, String dispatchTopic, String resultTopic,
                               String consumerGroup, Set<String> nodeTypes) {
    }

    private final ExecutorConfig config;
    private final ExecutorRuntime runtime;
    private final NodeHandlerRegistry handlers;

    public ExecutorInfoResource(ExecutorConfig config, ExecutorRuntime runtime, NodeHandlerRegistry handlers) {
        this.config = config;
        this.runtime = runtime;
        this.handlers = handlers;
    }

    @GET
    public ExecutorInfo info() {
        return new ExecutorInfo(config.maxInFlight(), runtime.inFlight(), Topics.NODE_DISPATCH, Topics.NODE_RESULTS,
                config.consumerGroup(), handlers.typeIds());
    }
}
