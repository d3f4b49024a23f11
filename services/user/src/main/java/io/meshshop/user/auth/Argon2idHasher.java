package io.meshshop.user.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import io.meshshop.user.domain.PasswordHasher;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106) by Bouncy Castle, stored as a PHC string
 * {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>} (unpadded standard base64). The string
 * carries its parameters, so a password is always checked with the parameters it was hashed with, and the
 * current ones can be raised at any time: older hashes keep working and are replaced at the next sign-in.
 *
 * <p>Every hash runs inside a {@link HashingSlots} slot: each one takes {@code m} KiB of heap.
 */
public final class Argon2idHasher implements PasswordHasher {

    /** OWASP's Password Storage Cheat Sheet minimum for Argon2id: 19 MiB, 2 passes, 1 lane. */
    public static final Parameters OWASP = new Parameters(19_456, 2, 1);

    private static final String PREFIX = "$argon2id$v=19$";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private final Parameters current;
    private final HashingSlots slots;
    private final SecureRandom random = new SecureRandom();

    public Argon2idHasher(Parameters current, HashingSlots slots) {
        this.current = current;
        this.slots = slots;
    }

    /**
     * Argon2id cost parameters. The bounds refuse nonsense, also in a stored hash: a corrupted or forged row
     * must not be able to make one check take a gigabyte or a minute.
     *
     * @param memoryKib   memory in KiB ({@code m}), at least 8 per lane
     * @param iterations  passes over the memory ({@code t})
     * @param parallelism lanes ({@code p}); Bouncy Castle computes them one after another
     */
    public record Parameters(int memoryKib, int iterations, int parallelism) {

        static final int MAX_MEMORY_KIB = 1 << 20;
        static final int MAX_ITERATIONS = 64;
        static final int MAX_PARALLELISM = 16;

        public Parameters {
            if (parallelism < 1 || parallelism > MAX_PARALLELISM || iterations < 1 || iterations > MAX_ITERATIONS
                || memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
                throw new IllegalArgumentException("Argon2id parameters out of range: m=" + memoryKib + ", t="
                                                   + iterations + ", p=" + parallelism);
            }
        }

        /** The heap one hash takes: a 1 KiB array of longs per block, plus its object, header and reference. */
        public long heapBytes() {
            return memoryKib * (1024L + 40L);
        }
    }

    /** A parsed PHC string. */
    record Phc(Parameters parameters, byte[] salt, byte[] hash) {

        static Optional<Phc> parse(String stored) {
            if (stored == null || !stored.startsWith(PREFIX)) {
                return Optional.empty();
            }
            String[] parts = stored.substring(PREFIX.length()).split("\\$", -1);
            if (parts.length != 3) {
                return Optional.empty();
            }
            try {
                Parameters parameters = parameters(parts[0]);
                byte[] salt = DECODER.decode(parts[1]);
                byte[] hash = DECODER.decode(parts[2]);
                if (salt.length < 8 || salt.length > 64 || hash.length < 16 || hash.length > 64) {
                    return Optional.empty();
                }
                return Optional.of(new Phc(parameters, salt, hash));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        /** Exactly {@code m=..,t=..,p=..} in this order, decimal without signs or leading zeros. */
        private static Parameters parameters(String text) {
            String[] fields = text.split(",", -1);
            if (fields.length != 3 || !fields[0].startsWith("m=") || !fields[1].startsWith("t=")
                || !fields[2].startsWith("p=")) {
                throw new IllegalArgumentException("not m=,t=,p=");
            }
            return new Parameters(number(fields[0].substring(2)), number(fields[1].substring(2)),
                    number(fields[2].substring(2)));
        }

        private static int number(String digits) {
            if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || (digits.length() > 1 && digits.charAt(0) == '0')) {
                throw new IllegalArgumentException("not a number");
            }
            return Integer.parseInt(digits);
        }

        String encode() {
            return PREFIX + "m=" + parameters.memoryKib() + ",t=" + parameters.iterations() + ",p="
                   + parameters.parallelism() + "$" + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
        }
    }

    @Override
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new Phc(current, salt, argon2id(password, current, salt, HASH_BYTES)).encode();
    }

    @Override
    public boolean verify(String password, String stored) {
        Optional<Phc> phc = Phc.parse(stored);
        if (phc.isEmpty()) {
            return false;
        }
        byte[] computed = argon2id(password, phc.get().parameters(), phc.get().salt(), phc.get().hash().length);
        return MessageDigest.isEqual(computed, phc.get().hash());
    }

    @Override
    public boolean needsRehash(String stored) {
        return Phc.parse(stored)
                .map(phc -> !phc.parameters().equals(current) || phc.salt().length != SALT_BYTES
                            || phc.hash().length != HASH_BYTES)
                .orElse(true);
    }

    @Override
    public String decoy() {
        byte[] salt = new byte[SALT_BYTES];
        byte[] hash = new byte[HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(hash);
        return new Phc(current, salt, hash).encode();
    }

    private byte[] argon2id(String password, Parameters parameters, byte[] salt, int length) {
        return slots.run(() -> {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(parameters.memoryKib())
                    .withIterations(parameters.iterations())
                    .withParallelism(parameters.parallelism())
                    .withSalt(salt)
                    .build());
            byte[] secret = password.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[length];
            try {
                generator.generateBytes(secret, out);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
            return out;
        });
    }
}
