package dev.atlas.security;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The application's one door: how a bearer token becomes a {@link Principal}, which browser origins may
 * talk to it, and how long a connection may stay unauthenticated. Configured once at startup
 * ({@link #configure}); immutable afterwards, so safe from any thread.
 *
 * <p>With {@code ATLAS_AUTH=off} every caller is the development principal (an admin), and nothing checks
 * tokens; the origin allowlist still applies.
 */
@ApplicationScoped
public class Authenticator {
    private static final Logger LOG = Logger.getLogger(Authenticator.class.getName());
    /** Who every caller is in development mode. */
    public static final Principal DEVELOPMENT = new Principal("development", Role.ADMIN, null, Instant.MAX);
    /** The wallet of the demo agent whose token the one-command run prints. */
    public static final String DEMO_WALLET = "0x00000000000000000000000000000000000000a1";

    @Inject
    AtlasConfig config;
    /** The roster's view of deactivated wallets (absent outside the application, e.g. in unit tests). */
    @Inject
    jakarta.enterprise.inject.Instance<WalletStatus> walletStatus;

    private volatile AuthMode mode;
    private Set<String> allowedOrigins;

    /**
     * Sets up keys and policy. {@code embedded}: the one-command run, which may generate its own secret;
     * a WAR in a stock Tomcat must be given one. Throws a ConfigException naming the missing setting.
     */
    public void configure(boolean embedded) {
        mode = Keys.setUp(config, embedded);
        allowedOrigins = Arrays.stream(config.get(Setting.ALLOWED_ORIGINS).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).map(Authenticator::normalizeOrigin)
                .collect(Collectors.toUnmodifiableSet());
        LOG.info(() -> "Authentication: " + mode.description());
    }

    public boolean enabled() {
        return mode().enabled();
    }

    /** The principal of a bearer token (without the "Bearer " prefix). */
    public Principal verify(String token) throws AuthenticationException {
        if (!mode().enabled()) {
            return DEVELOPMENT;
        }
        if (token == null || token.isEmpty()) {
            throw new AuthenticationException(AuthenticationException.Reason.MISSING);
        }
        Principal p = mode().verifier().verify(token);
        if (!p.isAdmin() && walletStatus != null && walletStatus.isResolvable() && walletStatus.get().deactivated(p.wallet())) {
            throw new AuthenticationException(AuthenticationException.Reason.DEACTIVATED_AGENT);
        }
        return p;
    }

    /**
     * Whether a browser origin may connect: no {@code Origin} (a non-browser client), the server's own
     * origin, or one on {@code ATLAS_ALLOWED_ORIGINS}. Refusing the rest stops cross-site WebSocket hijacking.
     */
    public boolean originAllowed(String origin, String ownScheme, String ownHost) {
        if (origin == null) {
            return true;
        }
        String o = normalizeOrigin(origin);
        if (ownHost != null && o.equals(normalizeOrigin(ownScheme + "://" + ownHost))) {
            return true;
        }
        return allowedOrigins.contains(o);
    }

    /** Whether a cross-site origin is on the allowlist (for CORS; the server's own origin needs no CORS). */
    public boolean listedOrigin(String origin) {
        return origin != null && allowedOrigins.contains(normalizeOrigin(origin));
    }

    public Duration authTimeout() {
        return Duration.ofSeconds(config.getLong(Setting.AUTH_TIMEOUT_SECONDS));
    }

    /**
     * Tokens for the one-command run's startup banner, when it generated its own secret: an admin token and
     * a demo agent token. Empty otherwise (keys come from the operator, who mints tokens elsewhere).
     */
    public Map<String, String> startupTokens() {
        Map<String, String> tokens = new LinkedHashMap<>();
        if (mode().keySource() == AuthMode.KeySource.GENERATED_SECRET) {
            mode().minter().ifPresent(m -> {
                tokens.put("admin", m.admin("admin", Duration.ofDays(30)));
                tokens.put("agent " + DEMO_WALLET, m.agent(DEMO_WALLET, "demo-agent", Duration.ofDays(30)));
            });
        }
        return tokens;
    }

    /** The token minter, when tokens are HS256 with a secret this server holds. */
    public java.util.Optional<TokenMinter> minter() {
        return mode().enabled() ? mode().minter() : java.util.Optional.empty();
    }

    private AuthMode mode() {
        AuthMode m = mode;
        if (m == null) {
            throw new IllegalStateException("Authenticator used before the application started");
        }
        return m;
    }

    /** scheme://host[:port], lower case, default ports dropped. */
    static String normalizeOrigin(String origin) {
        try {
            URI u = URI.create(origin.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
            int port = u.getPort();
            boolean defaultPort = port == -1 || (port == 80 && (scheme.equals("http") || scheme.equals("ws")))
                    || (port == 443 && (scheme.equals("https") || scheme.equals("wss")));
            return scheme + "://" + host + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return origin.strip().toLowerCase(Locale.ROOT);
        }
    }
}
