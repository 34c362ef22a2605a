package dev.atlas.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;

/**
 * Where every Jackson factory and mapper of the WAR comes from, so that they all draw their working buffers from one
 * pool.
 *
 * <p>Jackson 2.18's default pool keeps a buffer set per thread. Where requests run on virtual threads (the embedded
 * server on Java 24+, {@code ATLAS_VIRTUAL_THREADS}), a new thread each, that pool never hands a set out twice: each
 * parse or write allocated its buffers (several KB) anew, behind a new {@code SoftReference} and thread-local entry.
 * One bounded pool shared by every thread recycles them instead. A set is held only while one value is read or
 * written; when more are out at once than the pool keeps, the extra ones are made and dropped as before.
 *
 * <p>Each caller gets its own factory (a factory carries its mapper's parser and generator features, which
 * differ between rooms); only the pool is shared. Thread-safe.
 */
public final class Json {
    /** Buffer sets kept for reuse at most: far above what a few cores have in use at once; ≤ ~40 KB a set. */
    static final int POOLED_BUFFER_SETS = 64;
    private static final RecyclerPool<BufferRecycler> POOL = JsonRecyclerPools.newBoundedPool(POOLED_BUFFER_SETS);

    private Json() {
    }

    /** A new factory on the shared buffer pool. */
    public static JsonFactory factory() {
        return JsonFactory.builder().recyclerPool(POOL).build();
    }

    /**
     * A mapper builder on a new factory of the shared buffer pool, with Blackbird: a record's accessors and creator are
     * called through lambdas generated once per type instead of {@code Method.invoke} on every value, whose access
     * checks cost more than the call (docs/benchmarks.md, twenty-fifth session).
     */
    public static JsonMapper.Builder mapper() {
        return JsonMapper.builder(factory()).addModule(new BlackbirdModule());
    }

    /** The shared pool, for tests that check a factory uses it. */
    static RecyclerPool<BufferRecycler> pool() {
        return POOL;
    }
}
