package dev.capstan.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of one executor instance. */
@ConfigMapping(prefix = "capstan.executor")
public interface ExecutorConfig {

    /** How many nodes this instance runs at once; scale beyond it by adding instances. */
    @WithDefault("64")
    int maxInFlight();

    /** The Kafka consumer group every executor instance joins; partitions of the dispatch topic are shared in it. */
    @WithDefault("capstan-executor")
    String consumerGroup();

    /** Whether this instance consumes dispatches at all (off for tools that only need the HTTP surface). */
    @WithDefault("true")
    boolean consumerEnabled();

    /** This instance's name in the invocation log; defaults to the host name and a random suffix. */
    Optional<String> instanceId();

    /**
     * How long a claimed invocation stays ours without a heartbeat. A crashed instance's invocations are taken
     * over by another one after this long.
     */
    @WithDefault("30000")
    long leaseMs();

    /**
     * How long the broker waits for a silent consumer-group member (a killed instance) before its partitions go
     * to the others; the broker's {@code group.min.session.timeout.ms} (6000 by default) is the floor.
     */
    @WithDefault("45000")
    int sessionTimeoutMs();

    /**
     * How far back a starting instance reads {@code capstan.node.cancel}, and how long a cancel of an attempt that is
     * not running here is remembered (its dispatch may still be queued behind busy permits).
     */
    @WithDefault("300000")
    long cancelLookbackMs();

    /** The longest one attempt may run when the dispatch names no timeout. */
    @WithDefault("900000")
    long defaultNodeTimeoutMs();

    /** On shutdown, how long in-flight nodes may take to finish before their leases are handed back. */
    @WithDefault("20000")
    long shutdownGraceMs();

    /**
     * Tenant secrets, {@code capstan.executor.secrets.<tenant>.<name>=value}, referenced by name from nodes
     * ({@code ${secrets.NAME}}, {@code auth.secretRef}). A stand-in for a secret store.
     */
    Map<String, Map<String, String>> secrets();

    /**
     * The key that encrypts stored tenant secrets ({@code tenant_secrets}, AES-256-GCM): 32 bytes, base64. Without
     * it the store is off: stored secrets cannot be written or read, config secrets still work.
     */
    Optional<String> secretsKey();

    /** How long a tenant's stored secrets and policy are cached by an instance (writes through its admin API clear it). */
    @WithDefault("5000")
    long tenantCacheMs();

    Admin admin();

    interface Admin {
        /** The bearer token of {@code /admin/v1/*}; without one the admin API refuses every call. */
        Optional<String> token();
    }

    Http http();

    Llm llm();

    Shell shell();

    interface Http {

        /** Allows loopback, private, link-local and metadata addresses for every tenant (tests, trusted installs). */
        @WithDefault("false")
        boolean allowPrivateTargets();

        /** Tenants whose policy allows private targets even when {@link #allowPrivateTargets()} is off. */
        Optional<List<String>> privateTargetTenants();

        /** Timeout of one HTTP request when the node gives none. */
        @WithDefault("30000")
        long defaultTimeoutMs();

        /** Retries after the first attempt on connect errors, 429 and 5xx when the node gives no number. */
        @WithDefault("2")
        int defaultMaxRetries();

        /** First backoff; doubled per retry. */
        @WithDefault("200")
        long backoffMs();

        /** A Retry-After longer than this is not waited for; the node fails retryably instead. */
        @WithDefault("30000")
        long maxRetryAfterMs();

        /** Responses larger than this fail the node with {@code response_too_large}. */
        @WithDefault("1048576")
        int maxResponseBytes();

        /** How much of the response body the result's preview keeps. */
        @WithDefault("4096")
        int previewBytes();
    }

    interface Llm {

        @WithDefault("https://api.openai.com/v1")
        String openaiBaseUrl();

        @WithDefault("https://api.anthropic.com")
        String anthropicBaseUrl();

        /** The platform's own provider keys by provider ({@code openai}, {@code anthropic}); tenants may bring their own. */
        Map<String, String> apiKeys();

        /** USD per million tokens by model; overrides and extends the built-in table. */
        Map<String, ModelPrice> prices();

        @WithDefault("120000")
        long defaultTimeoutMs();

        interface ModelPrice {
            double inputPerMtok();

            double outputPerMtok();
        }
    }

    interface Shell {

        /** Tenants whose policy allows shell nodes; the run must also allow them ({@code allowExec}). */
        Optional<List<String>> allowExecTenants();

        /** Where each shell node gets its scratch working folder. */
        @WithDefault("${java.io.tmpdir}/capstan-exec")
        String scratchRoot();

        /** Environment variables a shell node may pass through or set; everything else is dropped. */
        @WithDefault("PATH,LANG,LC_ALL,TZ")
        List<String> envAllowList();

        @WithDefault("60000")
        long defaultTimeoutMs();

        /** stdout and stderr are each cut at this many bytes. */
        @WithDefault("65536")
        int maxOutputBytes();
    }
}
