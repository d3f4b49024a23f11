package io.meshshop.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.meshshop.reliability.check.ConsistencyCheck;
import io.meshshop.reliability.harness.Repo;
import io.meshshop.reliability.harness.ServiceProcess;
import io.meshshop.reliability.suites.BadInputSuite;
import io.meshshop.reliability.suites.CrashSuite;
import io.meshshop.reliability.suites.DatabaseOutageSuite;
import io.meshshop.reliability.suites.DuplicateDeliverySuite;
import io.meshshop.reliability.suites.Figures;
import io.meshshop.reliability.suites.Mode;
import io.meshshop.reliability.suites.ShutdownSuite;
import io.meshshop.reliability.suites.SlowDependencySuite;
import io.meshshop.reliability.suites.SoakSuite;

/**
 * The reliability tool.
 * <pre>
 *   check --order-db URL --payment-db URL [--pending-grace PT60S]     the consistency checker
 *   run [--quick] [--suites 1,2,5,6] [--soak PT10M] [--pg-restart]     suites, then the table
 * </pre>
 * Exit status: 0 when everything passed (or the checker found nothing), 1 otherwise, 2 on bad usage.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        if (arguments.isEmpty()) {
            usage(System.out);
            System.exit(2);
        }
        String command = arguments.removeFirst();
        int status = switch (command) {
            case "check" -> ConsistencyCheck.main(arguments, System.out);
            case "run" -> run(arguments);
            default -> {
                usage(System.out);
                yield 2;
            }
        };
        System.out.flush();
        // Services are stopped by the suites; this is for a run cut short by an exception.
        ServiceProcess.stopAll();
        System.exit(status);
    }

    private static int run(List<String> arguments) {
        boolean quick = false;
        boolean pgRestart = false;
        Duration soak = Duration.ofMinutes(10);
        List<Integer> suites = null;
        for (int i = 0; i < arguments.size(); i++) {
            switch (arguments.get(i)) {
                case "--quick" -> quick = true;
                case "--pg-restart" -> pgRestart = true;
                case "--soak" -> soak = Duration.parse(arguments.get(++i));
                case "--suites" -> {
                    suites = new ArrayList<>();
                    for (String n : arguments.get(++i).split(",")) {
                        suites.add(Integer.parseInt(n.trim()));
                    }
                }
                default -> {
                    usage(System.out);
                    return 2;
                }
            }
        }
        if (suites == null) {
            suites = quick ? List.of(1, 2, 5, 6) : List.of(1, 2, 3, 4, 5, 6, 7);
        }
        Mode mode = new Mode(quick, soak, pgRestart);
        // Each run copies the jars as they are built now (see Repo.serviceJar).
        Repo.clearSnapshots();
        List<Figures> results = new ArrayList<>();
        Instant started = Instant.now();
        for (int suite : suites) {
            System.out.println("== suite " + suite + (quick ? " (quick)" : "") + " ==");
            ServiceProcess.takeUnexpectedExits();
            Figures figures = switch (suite) {
                case 1 -> DuplicateDeliverySuite.run(mode);
                case 2 -> CrashSuite.run(mode);
                case 3 -> DatabaseOutageSuite.run(mode);
                case 4 -> SlowDependencySuite.run(mode);
                case 5 -> ShutdownSuite.run(mode);
                case 6 -> BadInputSuite.run(mode);
                case 7 -> SoakSuite.run(mode);
                default -> throw new IllegalArgumentException("There is no suite " + suite);
            };
            // A service that died without being told to is a finding of its own (or someone else's kill):
            // the suite says so rather than leaving only its consequences in the table.
            for (String exit : ServiceProcess.takeUnexpectedExits()) {
                figures.note("UNEXPECTED EXIT: " + exit);
                figures.expect(false, "a service died during the suite: " + exit);
            }
            results.add(figures);
            System.out.println("   " + figures.row());
        }
        StringBuilder report = new StringBuilder();
        report.append("Reliability run ").append(quick ? "(quick) " : "(full) ").append(started).append(", ")
                .append(Duration.between(started, Instant.now()).toMinutes()).append(" min\n\n");
        report.append(Figures.header()).append('\n');
        for (Figures figures : results) {
            report.append(figures.row()).append('\n');
        }
        report.append('\n');
        System.out.println();
        System.out.print(report);
        System.out.println();
        java.io.ByteArrayOutputStream details = new java.io.ByteArrayOutputStream();
        try (PrintStream detailOut = new PrintStream(details, true, StandardCharsets.UTF_8)) {
            for (Figures figures : results) {
                figures.printDetail(detailOut);
            }
        }
        String detailText = details.toString(StandardCharsets.UTF_8);
        System.out.print(detailText);
        Path file = Repo.work("report").resolve(quick ? "reliability-quick.md" : "reliability-full.md");
        try {
            Files.writeString(file, report + detailText);
            System.out.println("Report written to " + Repo.root().relativize(file));
        } catch (IOException e) {
            System.out.println("Could not write " + file + ": " + e.getMessage());
        }
        return results.stream().allMatch(Figures::passed) ? 0 : 1;
    }

    private static void usage(PrintStream out) {
        out.println("""
                usage:
                  reliability check --order-db JDBC_URL --payment-db JDBC_URL [--db-user U] [--db-password P]
                                    [--order-db-user U] [--order-db-password P] [--payment-db-user U] [--payment-db-password P]
                                    [--pending-grace PT60S]
                  reliability run [--quick] [--suites 1,2,...] [--soak PT10M] [--pg-restart]
                suites: 1 duplicate delivery, 2 crash, 3 database outage, 4 slow dependency, 5 graceful shutdown,
                        6 bad input, 7 soak""");
    }
}
