package io.meshshop.reliability.suites;

import java.time.Duration;

/**
 * How much of each suite to run.
 *
 * @param quick     the CI version: fewer orders, shorter phases (minutes for suites 1, 2, 5 and 6 together)
 * @param soak      how long suite 7 runs its mixed load
 * @param pgRestart suite 3 also restarts the whole PostgreSQL cluster (other engineers' databases too,
 *                  so only on request); without it only this run's databases are blocked
 */
public record Mode(boolean quick, Duration soak, boolean pgRestart) {
}
