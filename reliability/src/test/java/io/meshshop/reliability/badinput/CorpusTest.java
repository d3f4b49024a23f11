package io.meshshop.reliability.badinput;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the corpus of a protected and of an open route is made of, without a server. */
class CorpusTest {

    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
    private static final String OTHER = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiIn0.b3RoZXItY3VzdG9tZXJz";

    private static Endpoint order(Endpoint.Auth auth) {
        String id = UUID.randomUUID().toString();
        return new Endpoint("order", 1, "GET", "/api/orders/" + id, List.of(id), null, Endpoint.QueryKind.NONE, null,
                Endpoint.KeyUse.NONE, List.of("GET"), auth);
    }

    private static String text(Corpus.Case item) {
        return new String(item.bytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aProtectedRouteCarriesItsTokenInEveryCaseButTheAuthorizationOnes() {
        Endpoint endpoint = order(new Endpoint.Auth(TOKEN,
                List.of(new Endpoint.WrongToken("a valid token of another customer", OTHER, Set.of(404)))));
        List<Corpus.Case> cases = Corpus.generate(endpoint, 1000);
        assertTrue(cases.size() >= 1000, "cases: " + cases.size());
        assertTrue(new String(Corpus.valid(endpoint), StandardCharsets.ISO_8859_1).contains("\r\nAuthorization: Bearer " + TOKEN + "\r\n"));
        long authorization = 0;
        for (Corpus.Case item : cases) {
            assertFalse(item.description().contains(TOKEN), "a description shows the token: " + item.description());
            if (item.category().equals("authorization") || item.category().equals("token")) {
                authorization++;
                assertFalse(item.expected().isEmpty(), "an authorization case says what it must get: " + item.description());
            } else if (!item.category().equals("not HTTP") && !item.category().equals("truncated")
                       && !item.description().startsWith("bare LF")) {
                assertTrue(text(item).contains("Authorization: Bearer " + TOKEN + "\r\n"),
                        "a case that is invalid for another reason has the valid token: " + item.description());
            }
        }
        assertTrue(authorization >= 50, "authorization cases: " + authorization);
        Corpus.Case missing = cases.stream().filter(c -> c.description().equals("no Authorization header")).findFirst().orElseThrow();
        assertFalse(text(missing).contains("Authorization"));
        assertEquals(Set.of(401), missing.expected());
        Corpus.Case other = cases.stream().filter(c -> c.description().equals("a valid token of another customer"))
                .findFirst().orElseThrow();
        assertTrue(text(other).contains("Authorization: Bearer " + OTHER + "\r\n"));
        assertEquals(Set.of(404), other.expected());
        Corpus.Case two = cases.stream().filter(c -> c.description().equals("two Authorization headers: token then token"))
                .findFirst().orElseThrow();
        assertEquals(2, text(two).split("\r\nAuthorization: ", -1).length - 1, "two headers in the request");
    }

    @Test
    void anOpenRouteHasNoAuthorizationAtAll() {
        List<Corpus.Case> cases = Corpus.generate(order(null), 1000);
        assertTrue(cases.stream().noneMatch(c -> text(c).contains("\r\nAuthorization:")));
        assertTrue(cases.stream().allMatch(c -> c.expected().isEmpty()));
    }
}
