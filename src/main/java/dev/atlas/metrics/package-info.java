/**
 * The application's meters: one Micrometer registry ({@link dev.atlas.metrics.Metrics}) and the few
 * recording calls the push pipeline and the security checks make on their hot paths.
 *
 * <p>Why a package of its own rather than {@code web} (where DESIGN.md puts health and metrics): the meters
 * are recorded by {@code push} (events dispatched, deliveries, drops, delivery latency, auth failures on
 * WebSockets) and {@code security}-related code in several packages, and nothing may import {@code web}.
 * This package imports nothing of Atlas; {@code web} owns the {@code /metrics} servlet, its
 * access rule, the HTTP request meters and the gauges that read other packages' state.
 */
package dev.atlas.metrics;
