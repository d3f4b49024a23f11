package io.meshshop.common.json;

import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {

    @Test
    void acceptsOnlyTheCanonicalForm() {
        UUID id = UUID.fromString("9c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1d");
        assertEquals(Optional.of(id), Ids.parseUuid("9c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1d"));
        assertEquals(Optional.of(id), Ids.parseUuid("9C63D2B3-0F1E-4A5B-8C7D-6E5F4A3B2C1D"), "upper case is the same id");
        String[] bad = {null, "", "1-2-3-4-5", "9c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1", "9c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1dd",
            "9c63d2b30f1e-4a5b-8c7d-6e5f4a3b2c1d-", "9c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1g", "9c63d2b3+0f1e-4a5b-8c7d-6e5f4a3b2c1d",
            "\uff19c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1d", "\u0669c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1d",
            "\uff26c63d2b3-0f1e-4a5b-8c7d-6e5f4a3b2c1d"};
        for (String text : bad) {
            assertTrue(Ids.parseUuid(text).isEmpty(), String.valueOf(text));
        }
    }
}
