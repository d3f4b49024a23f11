package io.meshshop.user.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.meshshop.common.auth.Caller;
import io.meshshop.common.problem.ProblemException;

/**
 * Who may have a token: the sign-in decisions, free of HTTP and SQL so that they are tested on their own.
 *
 * <p>An unknown e-mail address and a wrong password get the same answer after the same work: an unknown
 * address is checked against a decoy hash with the current parameters. Attempts are counted per e-mail
 * address in the database, known or not (so counting reveals nothing either), before the password is
 * checked: however many attempts run at once, on however many replicas, at most {@code maxFailures} of them
 * in a window ever reach the password check. A success clears the count.
 */
public final class SignIn {

    /** What sign-in reads about a user. */
    public interface Accounts {
        Optional<Account> findForSignIn(String email);

        /** Stores a new hash of the same password, made with the current parameters. */
        void replacePasswordHash(UUID userId, String passwordHash);
    }

    /** @param passwordHash null for a user registered before passwords existed: such a user can never sign in */
    public record Account(UUID userId, String passwordHash) {
    }

    /** The attempt counts, shared by every replica. Keys are opaque: the store never sees an e-mail address. */
    public interface Attempts {
        /**
         * Counts one attempt for {@code key} in its current window, or starts a new window at {@code now} with
         * this attempt when there is none or the last one is {@code window} old; all in one atomic step.
         */
        Window record(String key, Instant now, Duration window);

        void clear(String key);
    }

    /** @param attempts attempts in the window, this one included; @param startedAt when the window began */
    public record Window(int attempts, Instant startedAt) {
    }

    /** The answer to one sign-in. */
    public sealed interface Outcome {
    }

    /** @param scopes space-separated into the token's {@code scope}, {@code customer} first */
    public record Success(UUID userId, List<String> scopes) implements Outcome {
    }

    public record InvalidCredentials() implements Outcome {
    }

    /** @param retryAfter until the window ends, at least one second */
    public record Throttled(Duration retryAfter) implements Outcome {
    }

    private static final System.Logger LOG = System.getLogger(SignIn.class.getName());

    private final Accounts accounts;
    private final Attempts attempts;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final int maxFailures;
    private final Duration window;
    private final Set<String> adminEmails;
    private final String decoy;

    /**
     * @param maxFailures failed attempts allowed per e-mail address in one window; the next is throttled
     * @param adminEmails normalised addresses whose tokens also get the {@code admin} scope
     */
    public SignIn(Accounts accounts, Attempts attempts, PasswordHasher hasher, Clock clock, int maxFailures,
                  Duration window, Set<String> adminEmails) {
        if (maxFailures < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("max-failures must be at least 1 and the window positive");
        }
        this.accounts = accounts;
        this.attempts = attempts;
        this.hasher = hasher;
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.window = window;
        this.adminEmails = Set.copyOf(adminEmails);
        this.decoy = hasher.decoy();
    }

    /**
     * @param email    normalised ({@link EmailAddress#normalise})
     * @param password as received
     */
    public Outcome attempt(String email, String password) {
        String key = throttleKey(email);
        Instant now = clock.instant();
        Window current = attempts.record(key, now, window);
        if (current.attempts() > maxFailures) {
            Duration left = Duration.between(now, current.startedAt().plus(window));
            return new Throttled(left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left);
        }
        Optional<Account> account = accounts.findForSignIn(email);
        String stored = account.map(Account::passwordHash).orElse(null);
        String normalised = Passwords.normalise(password);
        // Always one check, against the decoy when there is no hash: the time does not tell which case it was.
        boolean matches = hasher.verify(normalised, stored == null ? decoy : stored) && stored != null;
        if (!matches) {
            return new InvalidCredentials();
        }
        attempts.clear(key);
        UUID userId = account.get().userId();
        upgradeHash(userId, normalised, stored);
        return new Success(userId, adminEmails.contains(email)
                ? List.of(Caller.CUSTOMER, Caller.ADMIN)
                : List.of(Caller.CUSTOMER));
    }

    /**
     * The password is at hand only now, so this is when a hash made with older (weaker) parameters is
     * replaced. Best effort: when hashing is busy the sign-in still succeeds, and the next one tries again.
     */
    private void upgradeHash(UUID userId, String normalisedPassword, String stored) {
        if (!hasher.needsRehash(stored)) {
            return;
        }
        try {
            accounts.replacePasswordHash(userId, hasher.hash(normalisedPassword));
        } catch (ProblemException e) {
            LOG.log(System.Logger.Level.DEBUG, "Password hash upgrade postponed: " + e.getMessage());
        }
    }

    /**
     * The throttle's key for an address: its SHA-256, so that the attempts table (which also holds addresses
     * nobody registered) keeps no e-mail addresses.
     */
    static String throttleKey(String email) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(email.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
