package io.meshshop.reliability.badinput;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.meshshop.common.auth.BearerTokens;
import io.meshshop.common.problem.ProblemException;
import io.meshshop.reliability.harness.SigningKeys;

import com.nimbusds.jose.jwk.JWKSet;
import io.helidon.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forged tokens against the services' own verifier ({@code BearerTokens}, with the suite's key file as
 * the user service reads it): a token made the same way but unbroken passes, so each forged one is refused
 * for the one thing broken in it, and none of them is accidentally valid.
 */
class ForgedTokensTest {

    @Test
    void everyForgedTokenIsRefusedWithA401AndTheGenuineOneIsNot(@TempDir Path dir) {
        JWKSet keys = SigningKeys.load(SigningKeys.create(dir.resolve("keys.json")));
        BearerTokens verifier = BearerTokens.withKeys(Config.empty(), keys);
        ForgedTokens forger = new ForgedTokens(keys, "https://meshshop.dev/auth", "meshshop");
        UUID customer = UUID.randomUUID();

        assertEquals(customer, verifier.verify(forger.genuine(customer, "customer")).userId(),
                "the control: a token made like the forged ones, nothing broken, is valid");

        List<Endpoint.WrongToken> forged = forger.against(customer, "customer");
        assertTrue(forged.size() >= 25, "forged tokens: " + forged.size());
        Set<String> descriptions = new HashSet<>();
        for (Endpoint.WrongToken token : forged) {
            assertTrue(descriptions.add(token.description()), "one case per description: " + token.description());
            assertEquals(Set.of(401), token.expected(), token.description());
            ProblemException refused = assertThrows(ProblemException.class, () -> verifier.verify(token.token()),
                    "the verifier accepted a forged token: " + token.description());
            assertEquals(401, refused.problem().status(), token.description());
            assertFalse(token.toString().contains(token.token()), "a report line would show the token: " + token);
        }
    }
}
