package dev.atlas.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses request bodies over 1 MiB with 413: at once when {@code Content-Length} says so, otherwise
 * (chunked bodies) as soon as the reader passes the limit. Nothing is parsed or stored past it.
 */
@Provider
@PreMatching
public class BodyLimitFilter implements ContainerRequestFilter {
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (ctx.getLength() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        if (ctx.hasEntity()) {
            ctx.setEntityStream(new Limited(ctx.getEntityStream()));
        }
    }

    private static WebApplicationException tooLarge() {
        return new WebApplicationException("Request body larger than " + MAX_BODY_BYTES + " bytes.",
                Response.Status.REQUEST_ENTITY_TOO_LARGE);
    }

    /** Counts bytes as they are read and stops the read past the limit. */
    private static final class Limited extends FilterInputStream {
        private long count;

        Limited(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(int n) {
            count += n;
            if (count > MAX_BODY_BYTES) {
                throw tooLarge();
            }
        }
    }
}
