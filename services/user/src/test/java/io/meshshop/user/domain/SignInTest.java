package io.meshshop.user.domain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

/** The sign-in decisions with a fake hasher, store and clock: no server, no database. */
class SignInTest {

    private static final String PASSWORD = "a long enough password";
    private static final Duration WINDOW = Duration.ofMinutes(15);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final FakeHasher hasher = new FakeHasher();
    private final FakeAccounts accounts = new FakeAccounts();
    private final FakeAttempts attempts = new FakeAttempts();
    private final SignIn signIn = new SignIn(accounts, attempts, hasher, clock, 5, WINDOW, Set.of("boss@example.com"));

    @Test
    void theRightPasswordSucceedsWithTheCustomerScope() {
        UUID id = accounts.add("ada@example.com", hasher.hash(PASSWORD));
        assertThat(signIn.attempt("ada@example.com", PASSWORD), is(new SignIn.Success(id, List.of("customer"))));
    }

    @Test
    void adminEmailsGetTheAdminScopeToo() {
        UUID id = accounts.add("boss@example.com", hasher.hash(PASSWORD));
        assertThat(signIn.attempt("boss@example.com", PASSWORD), is(new SignIn.Success(id, List.of("customer", "admin"))));
    }

    @Test
    void passwordIsCheckedInItsNormalisedForm() {
        UUID id = accounts.add("ada@example.com", hasher.hash(Passwords.normalise("caf\u00e9 au lait, please")));
        assertThat(signIn.attempt("ada@example.com", "cafe\u0301 au lait, please"),
                is(new SignIn.Success(id, List.of("customer"))));
    }

    @Test
    void unknownEmailAndWrongPasswordAreTheSameAnswerAfterTheSameWork() {
        accounts.add("ada@example.com", hasher.hash(PASSWORD));
        accounts.add("legacy@example.com", null);
        hasher.verified.clear();
        assertThat(signIn.attempt("ada@example.com", "wrong password here"), is(new SignIn.InvalidCredentials()));
        assertThat(signIn.attempt("nobody@example.com", PASSWORD), is(new SignIn.InvalidCredentials()));
        assertThat("a user without a hash can never sign in", signIn.attempt("legacy@example.com", PASSWORD),
                is(new SignIn.InvalidCredentials()));
        assertThat("exactly one password check each", hasher.verified.size(), is(3));
        assertThat("unknown addresses are checked against the decoy", hasher.verified.get(1), is(hasher.decoy));
        assertThat("and so are users without a hash", hasher.verified.get(2), is(hasher.decoy));
    }

    @Test
    void theSixthAttemptInTheWindowIsThrottledUntilTheWindowEnds() {
        accounts.add("ada@example.com", hasher.hash(PASSWORD));
        for (int i = 1; i <= 5; i++) {
            clock.advance(Duration.ofMinutes(1));
            assertThat("failure " + i, signIn.attempt("ada@example.com", "wrong " + i), is(new SignIn.InvalidCredentials()));
        }
        hasher.verified.clear();
        clock.advance(Duration.ofMinutes(1));
        // The window began with the first failure at 10:01; it is 10:06, so it ends in 10 minutes.
        assertThat("even the right password", signIn.attempt("ada@example.com", PASSWORD),
                is(new SignIn.Throttled(Duration.ofMinutes(10))));
        assertThat("a throttled attempt costs no password check", hasher.verified.size(), is(0));

        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(signIn.attempt("ada@example.com", PASSWORD), instanceOf(SignIn.Throttled.class));
        SignIn.Throttled last = (SignIn.Throttled) signIn.attempt("ada@example.com", PASSWORD);
        assertThat("never less than a second", last.retryAfter(), is(Duration.ofSeconds(1)));

        clock.advance(Duration.ofMillis(1));
        assertThat("the window ended", signIn.attempt("ada@example.com", PASSWORD), instanceOf(SignIn.Success.class));
    }

    @Test
    void unknownAddressesAreThrottledTheSameWay() {
        for (int i = 1; i <= 5; i++) {
            assertThat(signIn.attempt("nobody@example.com", "guess " + i), is(new SignIn.InvalidCredentials()));
        }
        assertThat(signIn.attempt("nobody@example.com", "guess 6"), is(new SignIn.Throttled(WINDOW)));
        assertThat("other addresses are not affected", signIn.attempt("other@example.com", "guess"),
                is(new SignIn.InvalidCredentials()));
    }

    @Test
    void successClearsTheFailures() {
        UUID id = accounts.add("ada@example.com", hasher.hash(PASSWORD));
        for (int i = 0; i < 4; i++) {
            signIn.attempt("ada@example.com", "wrong");
        }
        assertThat(signIn.attempt("ada@example.com", PASSWORD), is(new SignIn.Success(id, List.of("customer"))));
        for (int i = 1; i <= 5; i++) {
            assertThat("failure " + i + " after the success", signIn.attempt("ada@example.com", "wrong"),
                    is(new SignIn.InvalidCredentials()));
        }
        assertThat(signIn.attempt("ada@example.com", "wrong"), instanceOf(SignIn.Throttled.class));
    }

    @Test
    void theThrottleKeyIsNotTheEmailAddress() {
        signIn.attempt("ada@example.com", "wrong");
        String key = attempts.windows.keySet().iterator().next();
        assertThat(key, not(containsString("ada")));
        assertThat("SHA-256 in hex", key.matches("[0-9a-f]{64}"), is(true));
    }

    @Test
    void aHashWithOldParametersIsReplacedOnSuccessOnly() {
        UUID id = accounts.add("ada@example.com", "old:" + PASSWORD);
        signIn.attempt("ada@example.com", "wrong");
        assertThat("not on a failure", accounts.hashes.get(id), is("old:" + PASSWORD));
        assertThat(signIn.attempt("ada@example.com", PASSWORD), instanceOf(SignIn.Success.class));
        assertThat(accounts.hashes.get(id), is(hasher.hash(PASSWORD)));

        UUID busy = accounts.add("busy@example.com", "old:" + PASSWORD);
        hasher.busy = true;
        assertThat("a busy hasher postpones the upgrade, not the sign-in",
                signIn.attempt("busy@example.com", PASSWORD), instanceOf(SignIn.Success.class));
        assertThat(accounts.hashes.get(busy), is("old:" + PASSWORD));
    }

    /** "cur:" or "old:" (old parameters) before the password; the decoy matches nothing. */
    private static final class FakeHasher implements PasswordHasher {
        final List<String> verified = new ArrayList<>();
        final String decoy = "decoy";
        boolean busy;

        @Override
        public String hash(String password) {
            if (busy) {
                throw new ProblemException(Problem.of(new ProblemType("overloaded", "busy", 503), "busy"), 1);
            }
            return "cur:" + password;
        }

        @Override
        public boolean verify(String password, String stored) {
            verified.add(stored);
            return stored.equals("cur:" + password) || stored.equals("old:" + password);
        }

        @Override
        public boolean needsRehash(String stored) {
            return !stored.startsWith("cur:");
        }

        @Override
        public String decoy() {
            return decoy;
        }
    }

    private static final class FakeAccounts implements SignIn.Accounts {
        final Map<String, UUID> ids = new HashMap<>();
        final Map<UUID, String> hashes = new HashMap<>();

        UUID add(String email, String hash) {
            UUID id = UUID.randomUUID();
            ids.put(email, id);
            hashes.put(id, hash);
            return id;
        }

        @Override
        public Optional<SignIn.Account> findForSignIn(String email) {
            return Optional.ofNullable(ids.get(email)).map(id -> new SignIn.Account(id, hashes.get(id)));
        }

        @Override
        public void replacePasswordHash(UUID userId, String passwordHash) {
            hashes.put(userId, passwordHash);
        }
    }

    /** What SignInAttemptStore does in SQL: count in the open window, or start a new one. */
    private static final class FakeAttempts implements SignIn.Attempts {
        final Map<String, SignIn.Window> windows = new HashMap<>();

        @Override
        public SignIn.Window record(String key, Instant now, Duration window) {
            SignIn.Window current = windows.get(key);
            SignIn.Window next = current != null && current.startedAt().isAfter(now.minus(window))
                    ? new SignIn.Window(current.attempts() + 1, current.startedAt())
                    : new SignIn.Window(1, now);
            windows.put(key, next);
            return next;
        }

        @Override
        public void clear(String key) {
            windows.remove(key);
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
