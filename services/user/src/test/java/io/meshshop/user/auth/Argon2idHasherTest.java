package io.meshshop.user.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The PHC format, both ways, with the parameters a hash was stored with. */
class Argon2idHasherTest {

    private static final String PASSWORD = "correct horse battery staple!";
    /**
     * Made by the reference implementation (Debian's argon2 CLI):
     * {@code echo -n "correct horse battery staple!" | argon2 somesaltsomesalt -id -t 2 -k 8192 -p 2 -l 32 -e}.
     * Other parameters than ours on purpose: a stored hash is checked with its own.
     */
    private static final String REFERENCE_OTHER_PARAMETERS =
            "$argon2id$v=19$m=8192,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$WleB84KGBM+IdNsuidYkxvAmBh5JX69aBn73ZxF+FSg";
    /** The same with OWASP's parameters, ours: {@code ... -t 2 -k 19456 -p 1 -l 32 -e}. */
    private static final String REFERENCE_OWASP =
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$w0P0G1cunmxymh3mNZv5rBU6i7j2RrpWtKA51assH7E";

    private final Argon2idHasher hasher = new Argon2idHasher(Argon2idHasher.OWASP, new HashingSlots(2, Duration.ofSeconds(5)));

    @Test
    void hashIsAPhcStringThatVerifiesItsPasswordOnly() {
        String stored = hasher.hash(PASSWORD);
        assertThat("PHC string with OWASP parameters, 16-byte salt and 32-byte hash, unpadded base64: " + stored,
                stored.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), is(true));
        assertThat("the password verifies", hasher.verify(PASSWORD, stored), is(true));
        assertThat("another password does not", hasher.verify(PASSWORD + "?", stored), is(false));
        assertThat("a fresh salt every time", hasher.hash(PASSWORD), not(is(stored)));
        assertThat("made with the current parameters", hasher.needsRehash(stored), is(false));
    }

    @Test
    void hashesOfTheReferenceImplementationVerifyWithTheirOwnParameters() {
        assertThat("reference hash, other parameters", hasher.verify(PASSWORD, REFERENCE_OTHER_PARAMETERS), is(true));
        assertThat("reference hash, OWASP parameters", hasher.verify(PASSWORD, REFERENCE_OWASP), is(true));
        assertThat("wrong password against the reference", hasher.verify("correct horse battery staple?",
                REFERENCE_OTHER_PARAMETERS), is(false));
        assertThat("other parameters are to be replaced", hasher.needsRehash(REFERENCE_OTHER_PARAMETERS), is(true));
        assertThat("ours are not", hasher.needsRehash(REFERENCE_OWASP), is(false));
        assertThat("parsing and encoding give the reference string back",
                Argon2idHasher.Phc.parse(REFERENCE_OTHER_PARAMETERS).orElseThrow().encode(), is(REFERENCE_OTHER_PARAMETERS));
    }

    @Test
    void aHashWithRaisedParametersVerifiesAndOldOnesAreMarkedForRehash() {
        Argon2idHasher stronger = new Argon2idHasher(new Argon2idHasher.Parameters(24_576, 3, 1),
                new HashingSlots(1, Duration.ofSeconds(5)));
        String old = hasher.hash(PASSWORD);
        assertThat("an old hash still verifies after the parameters were raised", stronger.verify(PASSWORD, old), is(true));
        assertThat("and is marked for replacement", stronger.needsRehash(old), is(true));
        String renewed = stronger.hash(PASSWORD);
        assertThat("new parameters: " + renewed, renewed.startsWith("$argon2id$v=19$m=24576,t=3,p=1$"), is(true));
        assertThat("the old parameters verify the new hash by what it says", hasher.verify(PASSWORD, renewed), is(true));
    }

    @Test
    void malformedOrHostileStoredValuesNeverVerify() {
        List<String> bad = List.of("", "plain", REFERENCE_OWASP.replace("argon2id", "argon2i"),
                REFERENCE_OWASP.replace("v=19", "v=16"),
                REFERENCE_OWASP.replace("m=19456", "m=019456"),
                REFERENCE_OWASP.replace("m=19456", "m=-1"),
                REFERENCE_OWASP.replace("m=19456", "m=4"),
                REFERENCE_OWASP.replace("m=19456", "m=2000000000"),
                REFERENCE_OWASP.replace("t=2", "t=100000"),
                REFERENCE_OWASP.replace("p=1", "p=0"),
                REFERENCE_OWASP.replace("m=19456,t=2,p=1", "t=2,m=19456,p=1"),
                REFERENCE_OWASP.replace("c29tZXNhbHRzb21lc2FsdA", "not*base64"),
                REFERENCE_OWASP.replace("c29tZXNhbHRzb21lc2FsdA", "c2FsdA"),
                REFERENCE_OWASP + "$extra");
        for (String stored : bad) {
            assertThat("refused: " + stored, Argon2idHasher.Phc.parse(stored), is(Optional.empty()));
            assertThat("does not verify: " + stored, hasher.verify(PASSWORD, stored), is(false));
            assertThat("to be replaced: " + stored, hasher.needsRehash(stored), is(true));
        }
        assertThat("null does not verify", hasher.verify(PASSWORD, null), is(false));
    }

    @Test
    void theDecoyHasTheCurrentParametersAndMatchesNothing() {
        String decoy = hasher.decoy();
        assertThat(Argon2idHasher.Phc.parse(decoy).orElseThrow().parameters(), is(Argon2idHasher.OWASP));
        assertThat(hasher.needsRehash(decoy), is(false));
        assertThat(hasher.verify(PASSWORD, decoy), is(false));
    }
}
