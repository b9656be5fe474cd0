package dev.capstan.workflow.model;

import java.util.List;

/**
 * A node's security facts: whether a person must approve it before it runs, its declared risk level
 * (low | medium | high | critical, free text allowed), the secrets it needs and the permissions it asks for.
 */
public record Security(boolean approvalGate, String riskLevel, List<String> secrets, List<String> permissions) {

    public static final Security NONE = new Security(false, null, List.of(), List.of());

    public Security {
        secrets = List.copyOf(secrets);
        permissions = List.copyOf(permissions);
    }
}
