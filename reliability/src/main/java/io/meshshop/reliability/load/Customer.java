package io.meshshop.reliability.load;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * A registered customer as the load drives it: who they are, how they sign in, and the token that their
 * calls carry ({@link #bearer()}, renewed before it expires by a {@link TokenHolder}). The password stays in
 * here: nothing prints it, and {@link #toString()} names the customer by id only.
 */
public final class Customer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final UUID id;
    private final String email;
    private final String password;
    private final TokenHolder tokens;

    /**
     * @param signIns every sign-in answer of this customer is counted here (the suites report them)
     */
    public Customer(UUID id, String email, String password, Api api, Tally signIns) {
        this.id = id;
        this.email = email;
        this.password = password;
        this.tokens = new TokenHolder(() -> {
            Answer answer = api.signIn(email, password);
            signIns.record(answer);
            return answer;
        }, System::nanoTime);
    }

    /**
     * A fresh password the user service accepts: 28 random characters, far above its minimum of 15 and
     * never on a list of common ones.
     */
    public static String newPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return "rel-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public UUID id() {
        return id;
    }

    public String email() {
        return email;
    }

    /** The token for the next call (signs in first if the customer has none, or again if it is about to expire). */
    public String bearer() {
        return tokens.token();
    }

    /** How often this customer signed in (1 at the start; more when the run outlived a token). */
    public int signIns() {
        return tokens.signIns();
    }

    @Override
    public String toString() {
        return "customer " + id;
    }
}
