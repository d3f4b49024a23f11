package io.meshshop.reliability.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady traffic on the user API: reads of known users, a page of the list, and now and then a
 * registration under its own Idempotency-Key (sent again, same key, after a retriable answer). Runs until
 * {@link #stop()} or its time bound.
 */
public final class UserLoad {

    private final Api api;
    private final List<UUID> users;
    private final Tally tally = new Tally();
    private final List<String> registeredKeys = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<Thread> clients = new ArrayList<>();

    public UserLoad(Api api, List<UUID> users) {
        this.api = api;
        this.users = List.copyOf(users);
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
                    if (n % 10 == 0) {
                        register("rel-userload-" + worker + "-" + n + "-" + UUID.randomUUID());
                    } else if (n % 7 == 0) {
                        tally.record(api.listUsers(10));
                    } else {
                        tally.record(api.getUser(users.get(random.nextInt(users.size()))));
                    }
                    sleep(pause.toMillis());
                }
            }));
        }
        return this;
    }

    private void register(String key) {
        String email = key.toLowerCase() + "@example.com";
        for (int attempt = 0; attempt < 4; attempt++) {
            Answer answer = api.createUser(key, "Load " + key.substring(0, 20), email);
            tally.record(answer);
            if (answer.status() == 201) {
                registeredKeys.add(key);
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
