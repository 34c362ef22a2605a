package dev.atlas.security;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The client's IP address: the connection's own, unless the connection comes from a trusted proxy
 * ({@code ATLAS_TRUSTED_PROXIES}), in which case the right-most address of {@code X-Forwarded-For} that is
 * not itself a trusted proxy. A forged header from an untrusted peer is ignored. Immutable; thread-safe.
 */
public final class ClientIp {
    private final Set<String> trusted;

    public ClientIp(String trustedProxiesCsv) {
        this.trusted = Arrays.stream(trustedProxiesCsv.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    public String of(String remoteAddr, String forwardedFor) {
        if (forwardedFor == null || !trusted.contains(remoteAddr)) {
            return remoteAddr;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!hop.isEmpty() && !trusted.contains(hop)) {
                return hop;
            }
        }
        return remoteAddr;
    }
}
