package io.meshshop.user.domain;

import java.time.Instant;
import java.util.UUID;

/** A registered user; {@code email} is stored trimmed and lower-case, which makes it unique case-insensitively. */
public record User(UUID id, String name, String email, Instant createdAt) {
}
