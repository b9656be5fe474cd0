package dev.capstan.executor.rest;

import dev.capstan.common.messaging.Topics;
import dev.capstan.executor.config.ExecutorConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Operational facts about this executor instance, for operators and the platform's status page. */
@Path("/executor/info")
@Produces(MediaType.APPLICATION_JSON)
public class ExecutorInfoResource {

    public record ExecutorInfo(int maxInFlight, String dispatchTopic, String resultTopic) {
    }

    private final ExecutorConfig config;

    public ExecutorInfoResource(ExecutorConfig config) {
        this.config = config;
    }

    @GET
    public ExecutorInfo info() {
        return new ExecutorInfo(config.maxInFlight(), Topics.NODE_DISPATCH, Topics.NODE_RESULTS);
    }
}
