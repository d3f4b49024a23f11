package io.meshshop.user;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;

import io.meshshop.common.auth.BearerTokens;
import io.meshshop.common.db.MicrosecondClock;
import io.meshshop.common.http.GracefulShutdown;
import io.meshshop.common.http.ServiceLauncher;
import io.meshshop.common.http.ServerDefaults;
import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.user.api.JwksHttpService;
import io.meshshop.user.api.SessionHttpService;
import io.meshshop.user.api.UserHttpService;
import io.meshshop.user.auth.AccessTokens;
import io.meshshop.user.auth.Argon2idHasher;
import io.meshshop.user.auth.AuthSettings;
import io.meshshop.user.auth.HashingSlots;
import io.meshshop.user.auth.SigningKeys;
import io.meshshop.user.domain.PasswordHasher;
import io.meshshop.user.domain.SignIn;
import io.meshshop.user.domain.Users;
import io.meshshop.user.store.SignInAttemptStore;
import io.meshshop.user.store.UserStore;

import io.helidon.config.Config;
import io.helidon.dbclient.DbClient;
import io.helidon.webserver.WebServerConfig;

import com.nimbusds.jose.jwk.JWKSet;

/** The user service: who the customers are, and the tokens that say so. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ServiceLauncher.launch("user", "/api/users", Main::setupServer);
    }

    /** Shared by {@link #main} and the tests, so that tests run the server as it ships. */
    public static WebServerConfig.Builder setupServer(WebServerConfig.Builder server, Config config,
                                                      GracefulShutdown shutdown) {
        // Checked first: a token lifetime or hashing setting out of bounds stops the start before anything opens.
        AuthSettings auth = AuthSettings.from(config.get("auth"));
        // The signing keys (file, JOSE and EC classes) are made ready while the database is opened and migrated
        // and the tracer built: none needs the others.
        CompletableFuture<JWKSet> signingKeys = ServiceLauncher.inBackground("signing-keys",
                () -> SigningKeys.loadOrCreate(auth.signingKeys(), auth.generateSigningKeys()));
        ServerDefaults.Infrastructure infrastructure = ServerDefaults.infrastructure(config, shutdown);
        DbClient db = infrastructure.db();
        JWKSet keys = ServiceLauncher.await(signingKeys);

        Clock clock = MicrosecondClock.systemUTC();
        Idempotency idempotency = Idempotency.create(db, config.get("idempotency"));
        HashingSlots slots = new HashingSlots(auth.hashingSlots() > 0 ? auth.hashingSlots()
                : HashingSlots.automatic(auth.hashing().heapBytes()), auth.hashingMaxWait());
        PasswordHasher hasher = new Argon2idHasher(auth.hashing(), slots);
        UserStore store = new UserStore(db);
        SignInAttemptStore attempts = new SignInAttemptStore(db);
        attempts.startPurging(clock, auth.window());
        Users users = new Users(store, hasher, clock);
        SignIn signIn = new SignIn(store, attempts, hasher, clock, auth.maxFailures(), auth.window(),
                auth.adminEmails());
        AccessTokens tokens = new AccessTokens(SigningKeys.signingKey(keys), auth.issuer(), auth.audience(),
                auth.tokenTtl(), clock);
        // The service checks its own tokens with its own public keys: no HTTP call to itself.
        BearerTokens bearer = BearerTokens.withKeys(auth.verifierConfig(), keys);
        return ServerDefaults.apply(server, config, infrastructure, shutdown)
                .routing(routing -> {
                    ServerDefaults.routing(routing);
                    routing.register("/api/users", new UserHttpService(users, store, idempotency, bearer));
                    routing.register("/api/sessions", new SessionHttpService(signIn, tokens));
                    routing.register("/.well-known/jwks.json", new JwksHttpService(keys));
                });
    }
}
