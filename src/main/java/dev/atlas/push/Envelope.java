package dev.atlas.push;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.atlas.config.Json;
import dev.atlas.event.TaskEvent;
import dev.atlas.event.WireTime;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the wire envelope {@code {event, timestamp, id, [agentWallet], data}} and the server's own
 * control messages ({@code hello}, {@code error}, {@code pong}).
 *
 * <p>Each event is serialized exactly once, however many sessions receive it; {@link #serializations()}
 * counts how often that happened so tests can prove it. Thread-safe.
 */
public final class Envelope {
    private static final JsonFactory FACTORY = Json.factory();
    private static final AtomicLong SERIALIZATIONS = new AtomicLong();

    private Envelope() {
    }

    /** The envelope of a task event. The event's {@code dataJson} is embedded as is, not re-parsed. */
    public static String of(TaskEvent e) {
        SERIALIZATIONS.incrementAndGet();
        return write(g -> {
            g.writeStringField("event", e.type().wireName());
            g.writeStringField("timestamp", WireTime.format(e.timestamp()));
            g.writeStringField("id", Long.toString(e.id()));
            if (e.type() == dev.atlas.event.EventType.TASK_ASSIGNED) {
                g.writeStringField("agentWallet", e.agentWallet());
            }
            g.writeFieldName("data");
            g.writeRawValue(e.dataJson());
        });
    }

    /** The first message of every session: the id of the last event before the live stream starts. */
    public static String hello(long lastEventId, Instant now) {
        return write(g -> {
            g.writeStringField("event", "hello");
            g.writeStringField("timestamp", WireTime.format(now));
            g.writeStringField("id", Long.toString(lastEventId));
        });
    }

    /**
     * The notice that the events a client asked to resume from cannot be replayed (too old, or unknown):
     * it should refetch over REST. {@code id} is where the live stream continues from.
     */
    public static String resync(long lastEventId, String reason, Instant now) {
        return write(g -> {
            g.writeStringField("event", "resync");
            g.writeStringField("timestamp", WireTime.format(now));
            g.writeStringField("id", Long.toString(lastEventId));
            g.writeStringField("reason", reason);
        });
    }

    /** A reply to a client message that could not be understood; the session stays open. */
    public static String error(String message, Instant now) {
        return write(g -> {
            g.writeStringField("event", "error");
            g.writeStringField("timestamp", WireTime.format(now));
            g.writeStringField("message", message);
        });
    }

    /** The reply to a client {@code {"type":"ping"}}. */
    public static String pong(Instant now) {
        return write(g -> {
            g.writeStringField("event", "pong");
            g.writeStringField("timestamp", WireTime.format(now));
        });
    }

    /** How many task events have been serialized since this class was loaded. */
    public static long serializations() {
        return SERIALIZATIONS.get();
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Fields fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
