package dev.atlas.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestPrincipalTest {
    static final Principal ADMIN = new Principal("ops", Role.ADMIN, null, Instant.MAX);
    static final Principal AGENT = new Principal(null, Role.AGENT, "0x" + "a".repeat(40), Instant.MAX);

    @AfterEach
    void clear() {
        RequestPrincipal.clear();
    }

    @Test
    void aThreadWithoutACallerFailsInsteadOfGuessing() {
        assertThrows(IllegalStateException.class, RequestPrincipal::get);
        RequestPrincipal.set(ADMIN);
        RequestPrincipal.clear();
        assertThrows(IllegalStateException.class, RequestPrincipal::get, "cleared at the end of a request");
    }

    @Test
    void eachThreadSeesOnlyItsOwnCaller() throws Exception {
        RequestPrincipal.set(ADMIN);
        Principal elsewhere = CompletableFuture.supplyAsync(() -> {
            try {
                RequestPrincipal.get();
                throw new AssertionError("another thread saw this thread's caller");
            } catch (IllegalStateException expected) {
                RequestPrincipal.set(AGENT);
                return RequestPrincipal.get();
            } finally {
                RequestPrincipal.clear();
            }
        }).get();
        assertEquals(AGENT, elsewhere);
        assertEquals(ADMIN, RequestPrincipal.get(), "the other thread's caller did not replace this one's");
    }

    @Test
    void aNullCallerIsRefused() {
        assertThrows(NullPointerException.class, () -> RequestPrincipal.set(null));
    }
}
