package io.meshshop.systemtests;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads a trace's spans as a tree: parents, children, ancestors, and a printable outline. */
final class TraceTree {

    private final List<ReceivedSpan> spans;
    private final Map<String, ReceivedSpan> byId;

    TraceTree(List<ReceivedSpan> spans) {
        this.spans = List.copyOf(spans);
        this.byId = spans.stream().collect(Collectors.toMap(ReceivedSpan::spanId, span -> span, (a, b) -> a));
    }

    List<ReceivedSpan> spans() {
        return spans;
    }

    Optional<ReceivedSpan> parent(ReceivedSpan span) {
        return Optional.ofNullable(byId.get(span.parentSpanId()));
    }

    List<ReceivedSpan> children(ReceivedSpan span) {
        return spans.stream().filter(s -> s.parentSpanId().equals(span.spanId()))
                .sorted(Comparator.comparingLong(ReceivedSpan::startNanos)).toList();
    }

    /** True when {@code ancestor} is found walking up from {@code span} through received parents. */
    boolean isDescendant(ReceivedSpan span, ReceivedSpan ancestor) {
        Optional<ReceivedSpan> current = parent(span);
        int guard = 0;
        while (current.isPresent() && guard++ < 100) {
            if (current.get().spanId().equals(ancestor.spanId())) {
                return true;
            }
            current = parent(current.get());
        }
        return false;
    }

    /** The nearest ancestor that is a server span: which request a span belongs to. */
    Optional<ReceivedSpan> serverOf(ReceivedSpan span) {
        Optional<ReceivedSpan> current = Optional.of(span);
        int guard = 0;
        while (current.isPresent() && guard++ < 100) {
            if (current.get().isServer()) {
                return current;
            }
            current = parent(current.get());
        }
        return Optional.empty();
    }

    /** An indented outline, roots first (a root is a span whose parent was not received). */
    String render() {
        StringBuilder out = new StringBuilder();
        spans.stream().filter(span -> !byId.containsKey(span.parentSpanId()))
                .sorted(Comparator.comparingLong(ReceivedSpan::startNanos))
                .forEach(root -> {
                    if (!root.parentSpanId().isEmpty()) {
                        out.append("(parent ").append(root.parentSpanId()).append(", not a received span)\n");
                    }
                    render(root, 1, out);
                });
        return out.toString();
    }

    static String render(List<ReceivedSpan> spans) {
        return new TraceTree(spans).render();
    }

    private static final Set<String> SHOWN = Set.of("http.route", "http.response.status_code", "order.id",
            "order.status", "payment.status", "payment.id", "user.id", "db.system.name", "db.operation.name",
            "http.request.method", "url.template", "meshshop.task");

    private void render(ReceivedSpan span, int depth, StringBuilder out) {
        out.append("  ".repeat(depth))
                .append(span.service()).append(' ').append(span.kind()).append(" \"").append(span.name()).append('"')
                .append(" span=").append(span.spanId())
                .append(span.status().equals("UNSET") ? "" : " status=" + span.status());
        String tags = span.attributes().entrySet().stream().filter(e -> SHOWN.contains(e.getKey()))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        if (!tags.isEmpty()) {
            out.append(" [").append(tags).append(']');
        }
        out.append('\n');
        for (ReceivedSpan child : children(span)) {
            render(child, depth + 1, out);
        }
    }
}
