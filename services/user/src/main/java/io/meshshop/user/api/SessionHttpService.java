package io.meshshop.user.api;

import io.meshshop.common.json.JsonInput;
import io.meshshop.common.observe.Meters;
import io.meshshop.common.problem.Problem;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.ProblemType;
import io.meshshop.common.problem.Problems;
import io.meshshop.user.auth.AccessTokens;
import io.meshshop.user.domain.SignIn;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/sessions}: sign in with e-mail address and password, get an access token. Open to anyone.
 *
 * <p>No Idempotency-Key here: a repeated sign-in is harmless (another short-lived token), and storing the
 * answer for replay would put a token in the database.
 */
public final class SessionHttpService implements HttpService {

    /** One type for an unknown address and a wrong password, so the answer does not tell which. */
    public static final ProblemType INVALID_CREDENTIALS =
            new ProblemType("invalid-credentials", "E-mail address or password is wrong", 401);
    public static final ProblemType TOO_MANY_ATTEMPTS =
            new ProblemType("too-many-sign-in-attempts", "Too many failed sign-ins for this e-mail address", 429);

    private static final String SIGN_INS = "meshshop.sign_ins";
    private static final String SIGN_INS_DESCRIPTION = "Sign-in attempts by outcome";
    private static final String SUCCESS = "success";
    private static final String INVALID_CREDENTIALS_OUTCOME = "invalid_credentials";
    private static final String THROTTLED = "throttled";

    private final SignIn signIn;
    private final AccessTokens tokens;

    public SessionHttpService(SignIn signIn, AccessTokens tokens) {
        this.signIn = signIn;
        this.tokens = tokens;
        // Every outcome at zero from the first scrape: the share of failed sign-ins is a ratio of two series, and
        // a new series' first events are lost to rate().
        Meters.preRegister(SIGN_INS, SIGN_INS_DESCRIPTION, "outcome", SUCCESS, INVALID_CREDENTIALS_OUTCOME, THROTTLED);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::signIn)
                .any("/", Problems.methodNotAllowed("POST"));
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        UserJson.Credentials credentials = UserJson.Credentials.from(JsonInput.read(req));
        switch (signIn.attempt(credentials.email(), credentials.password())) {
            case SignIn.Success success -> {
                count(SUCCESS);
                String token = tokens.issue(success.userId(), success.scopes());
                // RFC 6749 5.1: a response with a token is not stored by any cache.
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                res.send(UserJson.accessToken(token, tokens.ttl().toSeconds()));
            }
            case SignIn.InvalidCredentials ignored -> {
                count(INVALID_CREDENTIALS_OUTCOME);
                throw ProblemException.of(INVALID_CREDENTIALS, "The e-mail address or the password is wrong");
            }
            case SignIn.Throttled throttled -> {
                count(THROTTLED);
                // Whole seconds, rounded up: a client that waits exactly this long finds the window ended.
                long seconds = (throttled.retryAfter().toMillis() + 999) / 1000;
                throw new ProblemException(Problem.of(TOO_MANY_ATTEMPTS,
                        "Sign-in for this e-mail address is paused after too many failures; try again after "
                        + "Retry-After seconds"), Math.toIntExact(seconds));
            }
        }
    }

    /** Outcomes only: the e-mail address is never a label (personal data, and unbounded cardinality). */
    private static void count(String outcome) {
        Meters.count(SIGN_INS, SIGN_INS_DESCRIPTION, "outcome", outcome);
    }
}
