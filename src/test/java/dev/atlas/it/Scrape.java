package dev.atlas.it;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One Prometheus text scrape, parsed into samples: {@code name{labels}} exactly as printed (labels sorted by
 * the registry) → value. Enough for tests; not a full parser (no escapes in label values are needed here).
 */
public final class Scrape {
    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final String text;

    public Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    public String text() {
        return text;
    }

    /** The value of a sample, e.g. {@code atlas_push_sessions{transport="ws"}}; 0 when absent (a counter not yet created). */
    public double value(String sample) {
        return samples.getOrDefault(sample, 0.0);
    }

    public boolean has(String sample) {
        return samples.containsKey(sample);
    }

    /** Whether some sample's name (the part before labels) is {@code name}. */
    public boolean hasMetric(String name) {
        return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }

    /** Sum over every sample of a metric (all label sets). */
    public double sum(String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Scrapes until {@code until} holds for a scrape, or fails after 10 s with the last one. */
    public static Scrape await(Supplier<Scrape> scrape, java.util.function.Predicate<Scrape> until, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Scrape last = scrape.get();
        while (!until.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last scrape:\n" + last.text());
            }
            AtlasProcess.pause(50);
            last = scrape.get();
        }
        return last;
    }
}
