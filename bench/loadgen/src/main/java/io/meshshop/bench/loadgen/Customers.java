package io.meshshop.bench.loadgen;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * The customers a scenario acts as: registered and signed in before anything is measured, each with the
 * {@code Authorization} header its requests carry, and signed in again by a background thread once
 * {@link #RENEW_AT} of the token's {@code expiresIn} has passed. A renewal is off the measured path (a sign-in
 * is an Argon2id hash at the user service, tens of milliseconds), and the requests of a customer being renewed
 * keep the current, still valid token. Customers are signed in one after another, so their renewals are spread
 * over the run as well.
 */
final class Customers implements AutoCloseable {

    /** Sign in again after this share of the token's lifetime. */
    static final double RENEW_AT = 0.8;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One customer: who it is, how it signs in, and the header line its requests carry now. */
    static final class Customer {
        private final String id;
        private final String email;
        private final String password;
        private volatile byte[] authorization;
        private volatile String token;
        private volatile long renewAt;

        private Customer(String id, String email, String password) {
            this.id = id;
            this.email = email;
            this.password = password;
        }

        String id() {
            return id;
        }

        /** {@code Authorization: Bearer ...\r\n}, ready to go into a request head. */
        byte[] authorization() {
            return authorization;
        }

        /** The access token itself (for the wrk paths file). */
        String token() {
            return token;
        }

        @Override
        public String toString() {
            return "customer " + id;
        }
    }

    private final Endpoints users;
    private final List<Customer> all;
    private final AtomicLong signIns = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong renewalFailures = new AtomicLong();
    private volatile Thread renewer;
    private volatile boolean closed;

    private Customers(Endpoints users, List<Customer> all) {
        this.users = users;
        this.all = all;
    }

    /**
     * Registers {@code count} customers with e-mail addresses unique to this run ({@code runId}), each with
     * its own password and Idempotency-Key, and signs each in. Fails on the first answer that is not 201 or
     * 200: without its customers a scenario measures nothing.
     */
    static Customers create(Endpoints users, int count, String runId) throws Exception {
        List<Customer> all = new ArrayList<>(count);
        Customers customers = new Customers(users, all);
        for (int i = 0; i < count; i++) {
            String email = "lg-" + runId + "-" + i + "@example.com";
            String password = newPassword();
            String body = Json.createObjectBuilder().add("name", "Load Generator " + i).add("email", email)
                    .add("password", password).build().toString();
            ConnectionPool pool = users.pool();
            Response response = pool.send(pool.target().post("/api/users", body, "lg-" + runId + "-user-" + i));
            if (response.status() != 201) {
                throw new IllegalStateException("registering a customer answered " + response.status() + ": "
                                                + response.bodyText());
            }
            String id = response.locationId() != null ? response.locationId() : response.jsonString("id");
            if (id == null) {
                throw new IllegalStateException("a registered customer has no id: " + response.bodyText());
            }
            Customer customer = new Customer(id, email, password);
            String failure = customers.signIn(customer);
            if (failure != null) {
                throw new IllegalStateException("signing a new customer in answered " + failure);
            }
            all.add(customer);
        }
        return customers;
    }

    /** 27 random characters: far above the service's minimum of 15, never on a list of common passwords. */
    private static String newPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return "lg-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    List<Customer> all() {
        return all;
    }

    Customer any() {
        return all.get(ThreadLocalRandom.current().nextInt(all.size()));
    }

    /** Starts the thread that signs customers in again before their tokens expire (until {@link #close()}). */
    Customers renewing() {
        renewer = Thread.ofVirtual().name("loadgen-token-renewer").start(this::renew);
        return this;
    }

    private void renew() {
        while (!closed) {
            long now = System.nanoTime();
            long next = now + Duration.ofSeconds(1).toNanos();
            for (Customer customer : all) {
                if (closed) {
                    return;
                }
                if (customer.renewAt <= now) {
                    String failure = signIn(customer);
                    if (failure == null) {
                        renewals.incrementAndGet();
                    } else {
                        // The current token stays in use (it has a fifth of its life left); tried again in a second.
                        renewalFailures.incrementAndGet();
                        customer.renewAt = now + Duration.ofSeconds(1).toNanos();
                        System.err.println("loadgen: renewing the token of " + customer + " answered " + failure);
                    }
                }
                next = Math.min(next, customer.renewAt);
            }
            long sleep = Math.max(0, next - System.nanoTime());
            try {
                Thread.sleep(Duration.ofNanos(Math.max(sleep, Duration.ofMillis(10).toNanos())));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** {@code POST /api/sessions}; null when the customer now has a fresh token, else what went wrong. */
    private String signIn(Customer customer) {
        String body = Json.createObjectBuilder().add("email", customer.email).add("password", customer.password)
                .build().toString();
        long sent = System.nanoTime();
        try {
            ConnectionPool pool = users.pool();
            Response response = pool.send(pool.target().post("/api/sessions", body, null));
            signIns.incrementAndGet();
            String token = response.status() == 200 ? response.jsonString("accessToken") : null;
            long expiresIn = response.status() == 200 ? response.jsonLong("expiresIn") : -1;
            if (token == null || expiresIn <= 0) {
                return response.status() + " " + response.bodyText();
            }
            customer.token = token;
            customer.authorization = ("Authorization: Bearer " + token + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            // Counted from when the request was sent: the token cannot have been issued earlier.
            customer.renewAt = sent + (long) (Duration.ofSeconds(expiresIn).toNanos() * RENEW_AT);
            return null;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    JsonObject describe() {
        return Json.createObjectBuilder()
                .add("customers", all.size())
                .add("signIns", signIns.get())
                .add("tokensRenewed", renewals.get())
                .add("renewalFailures", renewalFailures.get())
                .build();
    }

    @Override
    public void close() {
        closed = true;
        Thread thread = renewer;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
