package io.meshshop.user.domain;

/**
 * Turns a password into what is stored, and checks a password against it. Implementations are slow and
 * memory-hard on purpose; they may refuse with a {@code 503} {@link io.meshshop.common.problem.ProblemException}
 * when too many hashes already run, rather than take more memory than the process has.
 *
 * <p>Passwords are given normalised ({@link Passwords#normalise}) so that one password typed on two
 * keyboards is one password.
 */
public interface PasswordHasher {

    /** A new stored form of {@code password}, with a fresh salt and the current parameters. */
    String hash(String password);

    /** True if {@code password} is the one {@code stored} was made from; false for any malformed stored value. */
    boolean verify(String password, String stored);

    /** True when {@code stored} was made with other parameters than the current ones, so it should be replaced. */
    boolean needsRehash(String stored);

    /**
     * A stored value with the current parameters that no password matches. Checking a password against it
     * costs what a real check costs, so an unknown e-mail address cannot be told from a wrong password by time.
     */
    String decoy();
}
