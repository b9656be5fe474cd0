package dev.capstan.executor.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for stored tenant secrets. Each value gets a fresh random nonce; the tenant and the secret's name
 * are the associated data, so a ciphertext moved to another tenant or name fails to decrypt. The key id (a
 * fingerprint of the key, not the key) tells which key wrote a row.
 */
public final class SecretCipher {

    public record Sealed(byte[] nonce, byte[] ciphertext, String keyId) {
    }

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final String keyId;
    private final SecureRandom random = new SecureRandom();

    /** @param base64Key 32 bytes, base64 */
    public SecretCipher(String base64Key) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("capstan.executor.secrets-key is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("capstan.executor.secrets-key must be 32 bytes (base64), not " + raw.length);
        }
        this.key = new SecretKeySpec(raw, "AES");
        try {
            this.keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String keyId() {
        return keyId;
    }

    public Sealed seal(String tenantId, String name, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(tenantId, name));
            return new Sealed(nonce, c.doFinal(value.getBytes(StandardCharsets.UTF_8)), keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Encrypting a secret failed: " + e.getClass().getSimpleName());
        }
    }

    /** The value, or an exception naming neither the value nor the key when the row does not authenticate. */
    public String open(String tenantId, String name, byte[] nonce, byte[] ciphertext) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(tenantId, name));
            return new String(c.doFinal(ciphertext), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The stored secret " + name + " of tenant " + tenantId
                    + " does not decrypt with the configured key");
        }
    }

    private static byte[] aad(String tenantId, String name) {
        return (tenantId + "\0" + name).getBytes(StandardCharsets.UTF_8);
    }
}
