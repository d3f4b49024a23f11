package io.meshshop.reliability.suites;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One suite's row in the reliability table, and what stands behind it: every expectation that failed
 * (which makes the suite fail) and notes with the detailed figures.
 */
public final class Figures {

    private final String suite;
    private final long start = System.nanoTime();
    private final List<String> faults = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String load = "";
    private long requests;
    private long failures;
    private long doubleCharges;
    private long lostOrders;
    private Duration took;

    public Figures(String suite) {
        this.suite = suite;
    }

    public String suite() {
        return suite;
    }

    public Figures load(String text) {
        load = text;
        return this;
    }

    public Figures fault(String text) {
        faults.add(text);
        return this;
    }

    public Figures requests(long count) {
        requests += count;
        return this;
    }

    /** Answers the suite forbids (a 500, a hang, a lost answer where one was owed, ...). */
    public Figures failures(long count) {
        failures += count;
        return this;
    }

    public Figures doubleCharges(long count) {
        doubleCharges += count;
        return this;
    }

    public Figures lostOrders(long count) {
        lostOrders += count;
        return this;
    }

    /** Records an expectation; a false one fails the suite with {@code what}. */
    public boolean expect(boolean holds, String what) {
        if (!holds) {
            violations.add(what);
        }
        return holds;
    }

    public void note(String text) {
        notes.add(text);
        System.out.println("  [" + suite + "] " + text);
    }

    public void finish() {
        took = Duration.ofNanos(System.nanoTime() - start);
    }

    public boolean passed() {
        return violations.isEmpty() && failures == 0 && doubleCharges == 0 && lostOrders == 0;
    }

    public long failuresCount() {
        return failures;
    }

    public List<String> violations() {
        return violations;
    }

    public static String header() {
        return "| suite | load | faults injected | requests | failures | double charges | lost orders | result |\n"
               + "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |";
    }

    public String row() {
        return "| " + suite + " | " + load + " | " + String.join("; ", faults) + " | " + requests + " | " + failures
               + " | " + doubleCharges + " | " + lostOrders + " | " + (passed() ? "pass" : "FAIL") + " ("
               + (took == null ? "?" : took.toSeconds() + " s") + ") |";
    }

    public void printDetail(PrintStream out) {
        out.println("### " + suite + (passed() ? " — pass" : " — FAIL"));
        for (String note : notes) {
            out.println("- " + note);
        }
        for (String violation : violations) {
            out.println("- **failed:** " + violation);
        }
        out.println();
    }
}
