package io.meshshop.user.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.meshshop.common.auth.BearerTokens;
import io.meshshop.common.auth.Caller;
import io.meshshop.common.idempotency.Idempotency;
import io.meshshop.common.idempotency.IdempotencyKey;
import io.meshshop.common.idempotency.Reply;
import io.meshshop.common.json.Ids;
import io.meshshop.common.json.JsonInput;
import io.meshshop.common.observe.Meters;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.common.problem.Problems;
import io.meshshop.user.domain.EmailAddress;
import io.meshshop.user.domain.User;
import io.meshshop.user.domain.Users;
import io.meshshop.user.store.UserStore;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/users}: register (open to anyone), and for a signed-in customer read, change and delete
 * themself, as {@code /me} or by their id. Anyone else's id is answered exactly like an id nobody has
 * (404), so ids cannot be probed. Listing and finding by e-mail need the {@code admin} scope.
 */
public final class UserHttpService implements HttpService {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final String REGISTERED = "meshshop.users.registered";
    private static final String REGISTERED_DESCRIPTION = "Users registered";

    private final Users users;
    private final UserStore store;
    private final Idempotency idempotency;
    private final BearerTokens tokens;

    public UserHttpService(Users users, UserStore store, Idempotency idempotency, BearerTokens tokens) {
        this.users = users;
        this.store = store;
        this.idempotency = idempotency;
        this.tokens = tokens;
        // At zero from the first scrape, like every business counter (observability/README.md).
        Meters.preRegister(REGISTERED, REGISTERED_DESCRIPTION);
    }

    @Override
    public void routing(HttpRules rules) {
        // /me before /{id}, which would otherwise take "me" for a malformed id.
        rules.post("/", this::register)
                .get("/", this::list)
                .get("/me", (req, res) -> get(res, tokens.require(req)))
                .put("/me", (req, res) -> change(req, res, tokens.require(req)))
                .delete("/me", (req, res) -> delete(req, res, tokens.require(req)))
                .get("/{id}", (req, res) -> get(res, pathOwner(req)))
                .put("/{id}", (req, res) -> change(req, res, pathOwner(req)))
                .delete("/{id}", (req, res) -> delete(req, res, pathOwner(req)))
                .any("/", Problems.methodNotAllowed("GET, POST"))
                .any("/me", Problems.methodNotAllowed("GET, PUT, DELETE"))
                .any("/{id}", Problems.methodNotAllowed("GET, PUT, DELETE"));
    }

    private void register(ServerRequest req, ServerResponse res) {
        Optional<IdempotencyKey> key = Optional.of(IdempotencyKey.required(req));
        JsonInput in = JsonInput.read(req);
        UserJson.Registration registration = UserJson.Registration.from(in);
        // Counted once the registration committed, and only by the request that made it (not by a replay).
        idempotency.respond(req, res, key, registration.fingerprintBody(),
                        tx -> users.register(tx, registration.name(), registration.email(), registration.password()),
                        user -> Reply.created("/api/users/" + user.id(), UserJson.user(user)))
                .ifPresent(user -> Meters.count(REGISTERED, REGISTERED_DESCRIPTION));
    }

    /**
     * The signed-in caller, when the path's id is their own. Any other id, existing or not, is answered as
     * an unknown one with the same problem, so a customer cannot learn which ids exist.
     */
    private Caller pathOwner(ServerRequest req) {
        Caller caller = tokens.require(req);
        UUID id = Ids.pathUuid("id", req.path().pathParameters().get("id"));
        if (!id.equals(caller.userId())) {
            throw notFound(id);
        }
        return caller;
    }

    private void get(ServerResponse res, Caller caller) {
        User user = store.find(caller.userId()).orElseThrow(() -> notFound(caller.userId()));
        res.send(UserJson.user(user));
    }

    private void change(ServerRequest req, ServerResponse res, Caller caller) {
        Optional<IdempotencyKey> key = Optional.of(IdempotencyKey.required(req));
        JsonInput in = JsonInput.read(req);
        UserJson.Change change = UserJson.Change.from(in);
        // A token outlives its user by up to its ttl: a deleted customer's change is refused before its key is
        // claimed, so the refusal leaves nothing behind (the effect checks again, under its row lock).
        if (store.find(caller.userId()).isEmpty()) {
            throw notFound(caller.userId());
        }
        idempotency.respond(req, res, caller, key, in.rawBody(), tx -> Reply.ok(UserJson.user(
                users.change(tx, caller.userId(), change.name(), change.email()))));
    }

    /** Deleting again (the token outlives the user by up to its ttl) is 204 as well. */
    private void delete(ServerRequest req, ServerResponse res, Caller caller) {
        Optional<IdempotencyKey> key = Optional.of(IdempotencyKey.required(req));
        idempotency.respond(req, res, caller, key, new byte[0], tx -> {
            users.delete(tx, caller.userId());
            return Reply.noContent();
        });
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("User " + id);
    }

    /** {@code ?email=} finds one address; otherwise a keyset page: {@code ?limit=&after=<next cursor>}. */
    private void list(ServerRequest req, ServerResponse res) {
        tokens.require(req).require(Caller.ADMIN);
        var query = req.query();
        if (query.contains("email")) {
            String email = EmailAddress.normalise(query.get("email"))
                    .orElseThrow(() -> ProblemException.invalid("email", "must be a valid e-mail address"));
            res.send(UserJson.list(store.findByEmail(email).map(List::of).orElse(List.of()), null));
            return;
        }
        int limit = query.contains("limit") ? limit(query.get("limit")) : DEFAULT_LIMIT;
        Cursor after = query.contains("after") ? Cursor.parse(query.get("after")) : null;
        List<User> page = store.page(after == null ? null : after.createdAt(),
                after == null ? null : after.id(), limit + 1);
        String next = null;
        if (page.size() > limit) {
            page = page.subList(0, limit);
            User last = page.getLast();
            next = new Cursor(last.createdAt(), last.id()).encode();
        }
        res.send(UserJson.list(page, next));
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.invalid("limit", "must be an integer from 1 to " + MAX_LIMIT);
    }


    /** Opaque position of the last user on a page: base64url of "epochMicros:uuid". */
    record Cursor(Instant createdAt, UUID id) {
        String encode() {
            long micros = Math.addExact(Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L),
                    createdAt.getNano() / 1_000L);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor parse(String text) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":", 2);
                long micros = Long.parseLong(parts[0]);
                UUID id = Ids.parseUuid(parts[1]).orElseThrow(IllegalArgumentException::new);
                return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1_000L), id);
            } catch (RuntimeException e) {
                throw ProblemException.invalid("after", "is not a cursor returned as next by this API");
            }
        }
    }
}
