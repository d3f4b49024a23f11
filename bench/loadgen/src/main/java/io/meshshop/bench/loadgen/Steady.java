package io.meshshop.bench.loadgen;

import java.time.Duration;

/**
 * {@code steady}: the checkout mix at a low, fixed rate until the process is stopped, so that Kiali's graph,
 * Jaeger and the dashboards always have something to show (k8s/components/steady-traffic runs it in the
 * cluster). A few customers sign in once and renew their tokens in the background (Customers); each window
 * prints one summary line, which is the Deployment's whole output. Concurrency is bounded by
 * {@code --max-in-flight}: a stalled cluster gets at most that many waiting requests, never a pile-up.
 */
final class Steady {

    /** The options of {@code steady}, read (and checked) before anything is sent. */
    record Settings(String userUrl, String orderUrl, double ratePerSecond, int customers, String mix,
                    Duration window, int maxInFlight, Duration readTimeout) {

        static Settings from(Args args) {
            Settings settings = new Settings(args.required("user-url"), args.required("order-url"),
                    parseRate(args.string("rate", "2/s")), args.integer("customers", 3),
                    args.string("mix", "place=50,read=40,cancel=10"), args.duration("window", "60s"),
                    args.integer("max-in-flight", 16), args.duration("read-timeout", "10s"));
            if (settings.customers() < 1) {
                throw new IllegalArgumentException("--customers must be at least 1, not " + settings.customers());
            }
            if (settings.maxInFlight() < 1) {
                throw new IllegalArgumentException("--max-in-flight must be at least 1, not " + settings.maxInFlight());
            }
            if (settings.window().toMillis() < 1000) {
                throw new IllegalArgumentException("--window must be at least 1s, not " + settings.window());
            }
            CheckoutScenario.parseMix(settings.mix());
            return settings;
        }
    }

    private Steady() {
    }

    /** {@code 2/s}, {@code 30/m}, {@code 120/h}, or a bare number per second; always above zero. */
    static double parseRate(String text) {
        String t = text.trim();
        double perUnit;
        double unitSeconds = 1;
        try {
            int slash = t.indexOf('/');
            if (slash < 0) {
                perUnit = Double.parseDouble(t);
            } else {
                perUnit = Double.parseDouble(t.substring(0, slash));
                unitSeconds = switch (t.substring(slash + 1)) {
                    case "s" -> 1;
                    case "m" -> 60;
                    case "h" -> 3600;
                    default -> throw new IllegalArgumentException("--rate wants N/s, N/m or N/h; got " + text);
                };
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate wants N/s, N/m or N/h; got " + text, e);
        }
        double rate = perUnit / unitSeconds;
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("--rate must be above zero; got " + text);
        }
        return rate;
    }

    /** Runs window after window until the JVM is stopped (SIGTERM from the kubelet ends it). */
    static int run(Args args) throws Exception {
        Settings settings = Steady.Settings.from(args);
        // The scenario owns (and closes) both Endpoints.
        try (CheckoutScenario scenario = new CheckoutScenario(Endpoints.from(args, "user-url"),
                Endpoints.from(args, "order-url"), settings.customers(), Main.runId(), settings.mix())) {
            args.rejectUnknown();
            scenario.prepare();
            System.out.printf("steady: %d customers signed in; %.3f checkout requests/s (%s), at most %d in flight%n",
                    settings.customers(), settings.ratePerSecond(), settings.mix(), settings.maxInFlight());
            OpenLoop.Limits limits = new OpenLoop.Limits(settings.maxInFlight(), settings.readTimeout().plusSeconds(2));
            Watch nothingWatched = new Watch(null);
            while (!Thread.currentThread().isInterrupted()) {
                OpenLoop.Step step = OpenLoop.run(scenario, settings.ratePerSecond(), settings.window(), limits, nothingWatched);
                System.out.println("steady  " + step.result().summary());
            }
            return 0;
        }
    }
}
