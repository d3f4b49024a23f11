package io.meshshop.common.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.UUID;

import io.helidon.dbclient.DbRow;

/**
 * Column reads whose Java type differs between JDBC drivers (PostgreSQL hands out {@link Timestamp} for
 * {@code TIMESTAMP WITH TIME ZONE} where H2 hands out {@link OffsetDateTime}), and the one parameter type
 * both drivers bind the same way for such a column.
 */
public final class Rows {

    private Rows() {
    }

    /**
     * True for SQL NULL. DbColumn's get() and asOptional() both throw on NULL in Helidon 4.1.2; a mapping
     * function is the one way in that sees the raw value, null included (docs/helidon-workarounds.md#null-columns).
     */
    public static boolean isNull(DbRow row, String column) {
        return row.column(column).as(value -> value == null).get();
    }

    /** The timestamp as an Instant, or null for SQL NULL. */
    public static Instant instant(DbRow row, String column) {
        Object value = isNull(row, column) ? null : row.column(column).get();
        return switch (value) {
            case null -> null;
            case Instant i -> i;
            case OffsetDateTime o -> o.toInstant();
            case ZonedDateTime z -> z.toInstant();
            case Timestamp t -> t.toInstant();
            case LocalDateTime l -> l.toInstant(ZoneOffset.UTC);
            default -> throw new IllegalStateException("Column " + column + " is not a timestamp: " + value.getClass());
        };
    }

    /** The UUID, or null for SQL NULL. */
    public static UUID uuid(DbRow row, String column) {
        Object value = isNull(row, column) ? null : row.column(column).get();
        return value == null ? null : value instanceof UUID u ? u : UUID.fromString(value.toString().strip());
    }

    public static long longValue(DbRow row, String column) {
        return ((Number) row.column(column).get()).longValue();
    }

    public static int intValue(DbRow row, String column) {
        return ((Number) row.column(column).get()).intValue();
    }

    /**
     * An instant as a {@code TIMESTAMP WITH TIME ZONE} parameter, in UTC: both drivers bind an
     * {@link OffsetDateTime} without converting it through the JVM's time zone, which an {@link Instant} or a
     * {@link Timestamp} would not promise.
     */
    public static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
