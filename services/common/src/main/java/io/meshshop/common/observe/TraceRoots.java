package io.meshshop.common.observe;

import java.util.List;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Which spans may start a trace: a request served (SERVER) and a unit of background work that asked for a trace
 * of its own ({@link Spans#inNewTrace}, marked by {@link #TASK}). Anything else without a parent (a statement of
 * a recovery pass that found nothing to do, the idempotency purge, the readiness check's {@code SELECT 1}, a
 * JWKS refresh) is not recorded: each would otherwise be a trace of one span every few seconds, crowding out the
 * traces that explain something. Spans with a parent are decided by the configured sampler, as before.
 */
final class TraceRoots implements Sampler {

    /** The background task a root span belongs to ({@code order-recovery}). */
    static final AttributeKey<String> TASK = AttributeKey.stringKey("meshshop.task");

    private final Sampler delegate;

    TraceRoots(Sampler delegate) {
        this.delegate = delegate;
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        boolean root = !Span.fromContext(parentContext).getSpanContext().isValid();
        if (root && spanKind != SpanKind.SERVER && attributes.get(TASK) == null) {
            return SamplingResult.drop();
        }
        return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "TraceRoots{" + delegate.getDescription() + "}";
    }
}
