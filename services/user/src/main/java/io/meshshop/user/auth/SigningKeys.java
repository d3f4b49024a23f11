package io.meshshop.user.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * The JWK Set file of signing keys: EC P-256 private keys, the first signs, all are published. Rotation puts
 * a new key first and keeps the one before it, so tokens it signed (at most 15 minutes old) still verify.
 *
 * <p>The file holds private keys: it is written with owner-only permissions (600), through a temporary file in
 * the same directory that is then moved into place, so nobody ever reads a half-written file.
 */
public final class SigningKeys {

    private static final System.Logger LOG = System.getLogger(SigningKeys.class.getName());

    private SigningKeys() {
    }

    /**
     * The keys in {@code file}. When it does not exist and {@code generate} is true (local runs and tests),
     * it is created first with one new key.
     */
    public static JWKSet loadOrCreate(Path file, boolean generate) {
        if (generate && !Files.exists(file)) {
            try {
                write(file, new JWKSet(newKey()), false);
                LOG.log(System.Logger.Level.INFO, "Created a signing key file at " + file);
            } catch (FileAlreadyExistsException e) {
                // Another process created it meanwhile: use its keys.
            }
        }
        return load(file);
    }

    /** Reads and checks the file: at least one key, each an EC P-256 private key with its own {@code kid}. */
    public static JWKSet load(Path file) {
        JWKSet keys;
        try {
            keys = JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the signing keys at " + file + " (auth.signing-keys; set "
                                            + "auth.generate-signing-keys=true to create one locally): " + e, e);
        } catch (ParseException e) {
            throw new IllegalStateException("The signing key file " + file + " is not a JWK Set: " + e.getMessage(), e);
        }
        check(keys, file.toString());
        return keys;
    }

    /** Throws unless {@code keys} is a usable signing key set. */
    static void check(JWKSet keys, String where) {
        List<JWK> all = keys.getKeys();
        if (all.isEmpty()) {
            throw new IllegalStateException("The signing key file " + where + " has no keys");
        }
        Set<String> kids = new HashSet<>();
        for (JWK key : all) {
            if (!(key instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve()) || !ec.isPrivate()) {
                throw new IllegalStateException("Every key in " + where + " must be an EC P-256 private key");
            }
            if (key.getKeyID() == null || key.getKeyID().isBlank() || !kids.add(key.getKeyID())) {
                throw new IllegalStateException("Every key in " + where + " needs its own kid");
            }
        }
    }

    /** The key that signs: the first in the file. */
    public static ECKey signingKey(JWKSet keys) {
        return (ECKey) keys.getKeys().getFirst();
    }

    /** A new P-256 signing key with a random {@code kid} (a type 4 UUID: unguessable and never reused). */
    public static ECKey newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .keyID(java.util.UUID.randomUUID().toString())
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("The JDK cannot generate P-256 keys", e);
        }
    }

    /** A new key first, then the current signing key; any older keys are dropped. */
    public static JWKSet rotated(JWKSet current) {
        return new JWKSet(List.of(newKey(), signingKey(current)));
    }

    /**
     * Writes {@code keys} with their private parts to {@code file}, readable by the owner only.
     *
     * @param replace whether an existing file is replaced (rotation) or kept (creation)
     * @throws FileAlreadyExistsException when {@code replace} is false and the file exists
     */
    public static void write(Path file, JWKSet keys, boolean replace) throws FileAlreadyExistsException {
        Path target = file.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
            Path temporary = target.resolveSibling("." + target.getFileName() + "." + System.nanoTime() + ".tmp");
            if (Files.getFileStore(target.getParent()).supportsFileAttributeView("posix")) {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(temporary);
            }
            try {
                Files.writeString(temporary, keys.toString(false), StandardCharsets.UTF_8);
                if (replace) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.move(temporary, target);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (FileAlreadyExistsException e) {
            if (target.toString().equals(e.getFile())) {
                throw e;
            }
            throw new UncheckedIOException("Cannot write the signing keys to " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the signing keys to " + file, e);
        }
    }
}
