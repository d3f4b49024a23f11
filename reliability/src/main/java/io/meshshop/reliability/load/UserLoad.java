package io.meshshop.reliability.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady traffic on the user API, each call as a signed-in customer reading themself (by id, and now and
 * then as {@code /api/users/me}), and now and then a new customer: a registration under its own
 * Idempotency-Key (sent again, same key, after a retriable answer) followed by that customer's first sign-in.
 * Runs until {@link #stop()} or its time bound.
 */
public final class UserLoad {

    private final Api api;
    private final List<Customer> customers;
    private final Tally tally = new Tally();
    private final List<String> registeredKeys = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<Thread> clients = new ArrayList<>();

    public UserLoad(Api api, List<Customer> customers) {
        this.api = api;
        this.customers = List.copyOf(customers);
    }

    /** Starts {@code workers} clients, each pausing {@code pause} between calls, for at most {@code max}. */
    public UserLoad start(int workers, Duration pause, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        for (int w = 0; w < workers; w++) {
            Random random = new Random(97L * w + 3);
            int worker = w;
            clients.add(Thread.ofVirtual().name("user-client-" + w).start(() -> {
                int n = 0;
                while (!stopped.get() && System.nanoTime() < deadline) {
                    n++;
                    Customer customer = customers.get(random.nextInt(customers.size()));
                    if (n % 10 == 0) {
                        register("rel-userload-" + worker + "-" + n + "-" + UUID.randomUUID());
                    } else if (n % 7 == 0) {
                        tally.record(api.getMe(customer));
                    } else {
                        tally.record(api.getUser(customer));
                    }
                    sleep(pause.toMillis());
                }
            }));
        }
        return this;
    }

    private void register(String key) {
        String email = key.toLowerCase() + "@example.com";
        String password = Customer.newPassword();
        for (int attempt = 0; attempt < 4; attempt++) {
            Answer answer = api.createUser(key, "Load " + key.substring(0, 20), email, password);
            tally.record(answer);
            if (answer.status() == 201) {
                registeredKeys.add(key);
                // A new customer signs in next; its answer is part of the user traffic like any other.
                tally.record(api.signIn(email, password));
                return;
            }
            if (!CheckoutLoad.retriable(answer) || stopped.get()) {
                return;
            }
            sleep(1000);
        }
    }

    public void stop() {
        stopped.set(true);
        for (Thread client : clients) {
            try {
                client.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public Tally tally() {
        return tally;
    }

    /** Keys whose registration was answered 201. */
    public List<String> registeredKeys() {
        return registeredKeys;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
