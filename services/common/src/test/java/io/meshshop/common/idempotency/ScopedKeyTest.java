package io.meshshop.common.idempotency;

import java.util.Set;
import java.util.UUID;

import io.meshshop.common.auth.Caller;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** Each caller's keys are stored apart, and every stored form fits the 255-character column. */
class ScopedKeyTest {

    private static final Caller ADA = new Caller(UUID.fromString("00000000-0000-4000-8000-0000000000ad"), Set.of());
    private static final Caller BOB = new Caller(UUID.fromString("00000000-0000-4000-8000-0000000000b0"), Set.of());

    @Test
    void theSameKeyFromTwoCallersIsStoredAsTwoKeys() {
        IdempotencyKey key = new IdempotencyKey("checkout-1");
        assertThat(Idempotency.scoped(ADA, key), is("user:" + ADA.userId() + " checkout-1"));
        assertThat(Idempotency.scoped(BOB, key), not(Idempotency.scoped(ADA, key)));
    }

    @Test
    void aLongKeyIsStoredAsItsDigestUnderTheCallersPrefix() {
        IdempotencyKey longest = new IdempotencyKey("k".repeat(IdempotencyKey.MAX_LENGTH));
        IdempotencyKey other = new IdempotencyKey("k".repeat(IdempotencyKey.MAX_LENGTH - 1) + "j");
        String stored = Idempotency.scoped(ADA, longest);
        assertThat(stored.length(), lessThanOrEqualTo(255));
        assertThat(stored, startsWith("user:" + ADA.userId() + " sha256:"));
        assertThat("distinct long keys stay distinct", Idempotency.scoped(ADA, other), not(stored));
        assertThat(Idempotency.scoped(BOB, longest), not(stored));
    }
}
