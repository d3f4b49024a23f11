package io.meshshop.systemtests;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

/** The PromQL queries of the Grafana dashboards in observability/grafana/dashboards, variables filled in. */
final class Dashboards {

    record Query(String dashboard, String panel, String refId, String expr) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + " / " + refId + ": " + expr;
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)(?::\\w+)?}|(\\w+))");

    private Dashboards() {
    }

    /**
     * Every query, with Grafana's variables replaced: interval variables by durations that suit a
     * Prometheus scraping every second, variables in {@code values} by their value, any other (multi-value,
     * always matched with =~) by ".*".
     */
    static List<Query> queries(Map<String, String> values) {
        List<Query> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(Repo.path("observability/grafana/dashboards"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonObject dashboard;
                try (Reader in = Files.newBufferedReader(file); JsonReader reader = Json.createReader(in)) {
                    dashboard = reader.readObject();
                }
                String uid = dashboard.getString("uid");
                for (JsonValue panelValue : dashboard.getJsonArray("panels")) {
                    JsonObject panel = panelValue.asJsonObject();
                    if (!panel.containsKey("targets")) {
                        continue;
                    }
                    for (JsonValue targetValue : panel.getJsonArray("targets")) {
                        JsonObject target = targetValue.asJsonObject();
                        if (target.containsKey("expr")) {
                            queries.add(new Query(uid, panel.getString("title"), target.getString("refId"),
                                    substitute(target.getString("expr"), values)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return queries;
    }

    private static String substitute(String expr, Map<String, String> values) {
        Matcher matcher = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
            String value = switch (name) {
                case "__rate_interval" -> "30s";
                case "__interval" -> "5s";
                case "__range" -> "5m";
                default -> values.getOrDefault(name, ".*");
            };
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
