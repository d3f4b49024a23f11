package io.meshshop.systemtests;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user service alone on the wire: a request with an incoming traceparent gives a server span named by
 * its route and database spans beneath it, all in the caller's trace, exported over OTLP/HTTP protobuf.
 */
class UserTraceTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void registeringAUserIsOneTraceWithServerAndDatabaseSpans() {
        try (OtlpReceiver receiver = OtlpReceiver.start();
             ServiceProcess user = ServiceProcess.start("user", ServiceProcess.otlpTo(receiver.endpoint()))) {
            TraceContext caller = TraceContext.random();
            String email = "trace-" + UUID.randomUUID() + "@example.com";
            String password = "trace-" + UUID.randomUUID();
            Http.Answer created = Http.postJson(user.baseUrl() + "/api/users",
                    "{\"name\":\"Trace Test\",\"email\":\"" + email + "\",\"password\":\"" + password + "\"}",
                    "traceparent", caller.traceparent(), "Idempotency-Key", UUID.randomUUID().toString());
            assertEquals(201, created.status(), created.body());

            List<ReceivedSpan> spans = receiver.awaitTrace(caller.traceId(),
                    trace -> trace.stream().anyMatch(ReceivedSpan::isServer)
                            && trace.stream().anyMatch(ReceivedSpan::isDatabase),
                    Duration.ofSeconds(30));
            // The server span ends after its database spans, so once it is here they are too; give a
            // straggling batch one more export interval anyway.
            Processes.sleep(500);
            TraceTree tree = new TraceTree(receiver.trace(caller.traceId()));
            System.out.println("Trace " + caller.traceId() + " as the receiver saw it:\n" + tree.render());

            ReceivedSpan server = tree.spans().stream().filter(ReceivedSpan::isServer).findFirst().orElseThrow();
            assertEquals("POST /api/users", server.name(), tree.render());
            assertEquals(caller.parentSpanId(), server.parentSpanId(), "the server span continues the caller's span");
            assertEquals("/api/users", server.attributes().get("http.route"), tree.render());
            assertEquals("user", server.service());
            assertEquals("meshshop", server.resource().get("service.namespace"));
            assertEquals("v1", server.resource().get("service.version"));
            assertEquals("local", server.resource().get("deployment.environment.name"));

            List<ReceivedSpan> database = tree.spans().stream().filter(ReceivedSpan::isDatabase).toList();
            assertFalse(database.isEmpty(), tree.render());
            for (ReceivedSpan statement : database) {
                assertTrue(tree.isDescendant(statement, server), statement + " is not under the server span:\n"
                        + tree.render());
            }
            Assertions.noPersonalData(tree, email);
            Assertions.noSecret(tree, "the password", password);
        }
    }
}
