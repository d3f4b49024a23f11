package io.meshshop.common.testing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One scrape of a server's {@code /observe/metrics} as Prometheus reads it (the text format), for tests that look
 * for series by name and label.
 */
public final class PrometheusText {

    /** A sample line: the name, its labels if it has any, the value. */
    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)})?\\s+(\\S+)", Pattern.MULTILINE);

    private final String text;

    private PrometheusText(String text) {
        this.text = text;
    }

    /** {@code GET base/observe/metrics} with {@code Accept: text/plain}. */
    public static PrometheusText scrape(String base) {
        HttpResponse<String> response = HttpCalls.send("GET", base + "/observe/metrics", null, "Accept", "text/plain");
        assertEquals(200, response.statusCode(), "GET /observe/metrics: " + response.body());
        return new PrometheusText(response.body());
    }

    /**
     * The values of the series {@code name} whose labels include every pair given ({@code "outcome", "paid"});
     * with none, every series of that name (the one of a counter without tags).
     */
    public List<Double> values(String name, String... labelPairs) {
        List<String> wanted = new ArrayList<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            wanted.add(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\"");
        }
        List<Double> values = new ArrayList<>();
        Matcher sample = SAMPLE.matcher(text);
        while (sample.find()) {
            List<String> labels = sample.group(2) == null ? List.of() : List.of(sample.group(2).split(","));
            if (sample.group(1).equals(name) && labels.containsAll(wanted)) {
                values.add(Double.parseDouble(sample.group(3)));
            }
        }
        return values;
    }
}
