package dev.atlas.web;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.config.Setting;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Principal;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may read {@code /metrics} ({@code ATLAS_METRICS_ACCESS}): the decision alone, free of servlet types so
 * that every case is unit-tested. Immutable; thread-safe.
 *
 * <ul>
 * <li>{@code local} (default): a client on this host — the connection comes from {@code 127.0.0.1} or
 *     {@code ::1} and carries no {@code X-Forwarded-For}, {@code X-Real-IP} or {@code Forwarded} naming
 *     another address — reads without a token. A request relayed by a proxy on this host (Nginx) is not local:
 *     the proxy's loopback address says nothing about the client. Behind {@code RemoteIpValve} (stock Tomcat
 *     with {@code conf/tomcat}) the connection's address already is the client's. Everyone else needs a token.</li>
 * <li>{@code token}: always a token.</li>
 * <li>{@code open}: anyone; only where the network already restricts who reaches the node.</li>
 * </ul>
 * A token is {@code ATLAS_METRICS_TOKEN} (compared in constant time; it opens {@code /metrics} and nothing
 * else) or a bearer token of an admin. A missing or bad token is 401; another role's token is 403. With
 * {@code ATLAS_AUTH=off} every caller is the development admin, as on {@code /api}.
 */
public final class MetricsAccess {
    /** The setting's values. */
    public enum Mode { LOCAL, TOKEN, OPEN }

    /** Checks a bearer token (may be null); {@code Authenticator::verify}. */
    @FunctionalInterface
    public interface TokenCheck {
        Principal verify(String token) throws AuthenticationException;
    }

    /**
     * The answer: allowed (status 200) with how, or refused with 401/403; {@code failure} is the refused
     * token's reason (for the auth failure meter and the log), null when no token was refused.
     */
    public record Outcome(boolean allowed, int status, String how, AuthenticationException.Reason failure) {
        static Outcome allow(String how) {
            return new Outcome(true, 200, how, null);
        }
    }

    static final int MIN_TOKEN_LENGTH = 16;

    private final Mode mode;
    private final byte[] metricsToken;

    public MetricsAccess(Mode mode, String metricsToken) {
        this.mode = mode;
        this.metricsToken = metricsToken == null || metricsToken.isEmpty() ? null
                : metricsToken.getBytes(StandardCharsets.UTF_8);
    }

    /** From the settings; a bad value is a ConfigException naming the setting (the deployment fails). */
    public static MetricsAccess from(AtlasConfig config) {
        String m = config.get(Setting.METRICS_ACCESS).toLowerCase(Locale.ROOT);
        Mode mode = switch (m) {
            case "local" -> Mode.LOCAL;
            case "token" -> Mode.TOKEN;
            case "open" -> Mode.OPEN;
            default -> throw new ConfigException(Setting.METRICS_ACCESS.envName() + " must be local, token or open, got '"
                    + config.get(Setting.METRICS_ACCESS) + "'");
        };
        String token = config.get(Setting.METRICS_TOKEN);
        if (!token.isEmpty() && (token.length() < MIN_TOKEN_LENGTH || !token.matches("[A-Za-z0-9\\-._~+/]+=*"))) {
            throw new ConfigException(Setting.METRICS_TOKEN.envName() + " must be at least " + MIN_TOKEN_LENGTH
                    + " characters of A-Z a-z 0-9 - . _ ~ + / (a bearer token)");
        }
        return new MetricsAccess(mode, token);
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Decides one request.
     *
     * @param peer         the connection's address ({@code getRemoteAddr()})
     * @param forwardedFor {@code X-Forwarded-For}, or null
     * @param realIp       {@code X-Real-IP}, or null
     * @param forwarded    {@code Forwarded} (RFC 7239), or null
     * @param bearer       the bearer token, or null
     */
    public Outcome decide(String peer, String forwardedFor, String realIp, String forwarded, String bearer,
                          TokenCheck tokens) {
        if (mode == Mode.OPEN) {
            return Outcome.allow("open");
        }
        if (mode == Mode.LOCAL && isLocal(peer) && !relayed(forwardedFor, realIp, forwarded)) {
            return Outcome.allow("local");
        }
        if (bearer != null && metricsToken != null
                && MessageDigest.isEqual(metricsToken, bearer.getBytes(StandardCharsets.UTF_8))) {
            return Outcome.allow("metrics token");
        }
        Principal p;
        try {
            p = tokens.verify(bearer);
        } catch (AuthenticationException e) {
            return new Outcome(false, 401, "token refused", e.reason());
        }
        return p.isAdmin() ? Outcome.allow("admin token") : new Outcome(false, 403, "not an admin", null);
    }

    /** Whether a proxy relayed the request for another client (any forwarding header naming a non-local address). */
    static boolean relayed(String forwardedFor, String realIp, String forwarded) {
        if (forwarded != null) {
            return true; // nothing on this host sends it but a proxy
        }
        if (realIp != null && !isLocal(realIp.strip())) {
            return true;
        }
        if (forwardedFor != null) {
            for (String hop : forwardedFor.split(",")) {
                if (!isLocal(hop.strip())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code 127.0.0.1} or {@code ::1} (also written {@code 0:0:0:0:0:0:0:1}, {@code [::1]} or IPv4-mapped). */
    static boolean isLocal(String address) {
        if (address == null) {
            return false;
        }
        String a = address;
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        if (a.equals("127.0.0.1")) {
            return true;
        }
        // Only IPv6 literals reach InetAddress, which parses them without a name lookup.
        if (a.indexOf(':') < 0 || !a.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return false;
        }
        try {
            InetAddress ia = InetAddress.getByName(a);
            return ia instanceof Inet6Address ? ia.isLoopbackAddress() : ia.getHostAddress().equals("127.0.0.1");
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
