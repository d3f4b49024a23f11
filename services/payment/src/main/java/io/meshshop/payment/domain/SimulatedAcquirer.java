package io.meshshop.payment.domain;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.meshshop.common.json.Ids;

import io.helidon.config.Config;

/**
 * Stands in for a card acquirer with a rule that a tester drives on purpose and that never depends on
 * chance, so every test, demo and replay sees the same outcome for the same charge:
 * a charge above {@code decline.above} minor units (in whatever currency) is declined with
 * {@value #AMOUNT_ABOVE_LIMIT}, a charge by a user listed in {@code decline.users} with
 * {@value #USER_DECLINED}; every other charge is approved. The amount rule is checked first.
 *
 * <p>It is a rule of this service's own, not a client of another service: it lives with the rules
 * ({@code domain/}), behind the {@link Acquirer} that a real acquirer's client would implement.
 */
public final class SimulatedAcquirer implements Acquirer {

    public static final String AMOUNT_ABOVE_LIMIT = "amount-above-limit";
    public static final String USER_DECLINED = "user-declined";
    static final long DEFAULT_DECLINE_ABOVE = 1_000_000L;

    private final long declineAboveMinor;
    private final Set<UUID> declinedUsers;

    public SimulatedAcquirer(long declineAboveMinor, Set<UUID> declinedUsers) {
        this.declineAboveMinor = declineAboveMinor;
        this.declinedUsers = Set.copyOf(declinedUsers);
    }

    /**
     * Reads {@code decline.above} and {@code decline.users} (a list, or one comma-separated string as an
     * environment variable gives it: {@code ACQUIRER_DECLINE_USERS=id1,id2}). A user id that is not a UUID
     * stops the start-up: a typo must not silently approve the user it meant to decline.
     */
    public static SimulatedAcquirer create(Config acquirer) {
        long above = acquirer.get("decline.above").asLong().orElse(DEFAULT_DECLINE_ABOVE);
        Set<UUID> users = acquirer.get("decline.users").asList(String.class).orElse(List.of()).stream()
                .map(String::strip)
                .filter(id -> !id.isEmpty())
                .map(id -> Ids.parseUuid(id).orElseThrow(() -> new IllegalArgumentException(
                        "acquirer.decline.users: not a UUID: " + id)))
                .collect(Collectors.toSet());
        return new SimulatedAcquirer(above, users);
    }

    @Override
    public Decision capture(Payment payment) {
        if (payment.amountMinor() > declineAboveMinor) {
            return Decision.decline(AMOUNT_ABOVE_LIMIT);
        }
        if (declinedUsers.contains(payment.userId())) {
            return Decision.decline(USER_DECLINED);
        }
        return Decision.approve();
    }
}
