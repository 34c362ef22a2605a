package dev.atlas.metrics;

/** {@link Metrics} outside CDI, for tests of other packages: started and closed as the container would. */
public final class MetricsOutsideCdi {
    private MetricsOutsideCdi() {
    }

    /** A started {@link Metrics}, with its own registry. */
    public static Metrics started() {
        Metrics m = new Metrics();
        m.start();
        return m;
    }

    public static void close(Metrics m) {
        m.close();
    }

    /** How many events the dispatcher counted as committed ({@code atlas_events_committed_total}). */
    public static long eventsCommitted(Metrics m) {
        return (long) m.registry().get("atlas.events.committed").counter().count();
    }
}
