package io.meshshop.payment.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The documented acquirer rule, and how it is configured. */
class SimulatedAcquirerTest {

    private static final UUID BLOCKED = UUID.fromString("11111111-1111-4111-8111-111111111111");
    private static final UUID OTHER = UUID.fromString("22222222-2222-4222-8222-222222222222");

    @Test
    void declinesAboveTheLimitAndListedUsersOnly() {
        Acquirer acquirer = new SimulatedAcquirer(1000, Set.of(BLOCKED));
        assertThat("acquirer.capture(payment(OTHER, 1000))",
                acquirer.capture(payment(OTHER, 1000)), is(Acquirer.Decision.approve()));
        assertThat("acquirer.capture(payment(OTHER, 1001))", acquirer.capture(payment(OTHER, 1001)),
                is(Acquirer.Decision.decline(SimulatedAcquirer.AMOUNT_ABOVE_LIMIT)));
        assertThat("acquirer.capture(payment(BLOCKED, 1))",
                acquirer.capture(payment(BLOCKED, 1)), is(Acquirer.Decision.decline(SimulatedAcquirer.USER_DECLINED)));
        // The amount rule is checked first, so the reason does not depend on which list a user is on.
        assertThat("acquirer.capture(payment(BLOCKED, 1001))", acquirer.capture(payment(BLOCKED, 1001)),
                is(Acquirer.Decision.decline(SimulatedAcquirer.AMOUNT_ABOVE_LIMIT)));
    }

    @Test
    void readsAStringOfIdsAsAnEnvironmentVariableGivesIt() {
        Acquirer acquirer = SimulatedAcquirer.create(config(Map.of(
                "decline.above", "50", "decline.users", " " + BLOCKED + " , " + OTHER.toString().toUpperCase() + ",")));
        assertThat("acquirer.capture(payment(BLOCKED, 1)).approved()",
                acquirer.capture(payment(BLOCKED, 1)).approved(), is(false));
        assertThat("acquirer.capture(payment(OTHER, 1)).approved()",
                acquirer.capture(payment(OTHER, 1)).approved(), is(false));
        assertThat("acquirer.capture(payment(UUID.randomUUID(), 50)).approved()",
                acquirer.capture(payment(UUID.randomUUID(), 50)).approved(), is(true));
        assertThat("acquirer.capture(payment(UUID.randomUUID(), 51)).approved()",
                acquirer.capture(payment(UUID.randomUUID(), 51)).approved(), is(false));
    }

    @Test
    void emptyListDeclinesNoUser() {
        Acquirer acquirer = SimulatedAcquirer.create(config(Map.of("decline.users", "")));
        assertThat("acquirer.capture(payment(BLOCKED, 1)).approved()",
                acquirer.capture(payment(BLOCKED, 1)).approved(), is(true));
    }

    @Test
    void aMistypedUserIdStopsTheStart() {
        assertThrows(IllegalArgumentException.class,
                () -> SimulatedAcquirer.create(config(Map.of("decline.users", "not-a-uuid"))));
    }

    private static Config config(Map<String, String> values) {
        return Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .addSource(ConfigSources.create(values)).build();
    }

    private static Payment payment(UUID userId, long amountMinor) {
        return new Payment(UUID.randomUUID(), UUID.randomUUID(), userId, amountMinor, "EUR", PaymentStatus.CAPTURED,
                0, null, Instant.now());
    }
}
