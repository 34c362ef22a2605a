package dev.atlas.security;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.config.Setting;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The claim rules every token must meet, apart from its key: the issuer and audience (when set), the clock
 * skew tolerated for {@code exp}, {@code nbf} and {@code iat}, and the wallet pattern of agent tokens.
 * Immutable; thread-safe.
 *
 * @param issuer        required {@code iss}, or null when not checked
 * @param audience      a value {@code aud} must contain, or null when not checked
 * @param clockSkew     0 to {@link #MAX_CLOCK_SKEW}
 * @param walletPattern what an agent's {@code wallet} claim must match (case-insensitive)
 */
public record TokenPolicy(String issuer, String audience, Duration clockSkew, Pattern walletPattern) {
    /** The largest tolerated clock difference; more would stretch every token's lifetime noticeably. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

    public TokenPolicy {
        issuer = blankToNull(issuer);
        audience = blankToNull(audience);
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(walletPattern, "walletPattern");
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clock skew must be between 0 and 60 seconds, got " + clockSkew);
        }
    }

    /** No issuer or audience check, 60 s skew, the default wallet pattern. */
    public static TokenPolicy defaults() {
        return new TokenPolicy(null, null, MAX_CLOCK_SKEW, walletPattern(Setting.WALLET_PATTERN.defaultValue()));
    }

    /**
     * The policy the settings describe ({@code ATLAS_JWT_ISSUER}, {@code ATLAS_JWT_AUDIENCE},
     * {@code ATLAS_JWT_CLOCK_SKEW_SECONDS}, {@code ATLAS_WALLET_PATTERN}).
     *
     * @throws ConfigException naming the setting that is malformed or out of range
     */
    public static TokenPolicy from(AtlasConfig config) {
        long skew = config.getLong(Setting.JWT_CLOCK_SKEW_SECONDS, 0, MAX_CLOCK_SKEW.toSeconds(), "seconds");
        return new TokenPolicy(config.get(Setting.JWT_ISSUER), config.get(Setting.JWT_AUDIENCE),
                Duration.ofSeconds(skew), walletPattern(config.get(Setting.WALLET_PATTERN)));
    }

    public TokenPolicy withIssuer(String newIssuer) {
        return new TokenPolicy(newIssuer, audience, clockSkew, walletPattern);
    }

    public TokenPolicy withAudience(String newAudience) {
        return new TokenPolicy(issuer, newAudience, clockSkew, walletPattern);
    }

    public TokenPolicy withClockSkew(Duration newSkew) {
        return new TokenPolicy(issuer, audience, newSkew, walletPattern);
    }

    /** Whether {@code wallet} is a well-formed wallet address under this policy (case-insensitive). */
    public boolean isWallet(String wallet) {
        return wallet != null && walletPattern.matcher(wallet).matches();
    }

    static Pattern walletPattern(String regex) {
        try {
            // Same reading as TaskRules: wallets compare case-insensitively, so a lower-case-only pattern must
            // still accept a checksummed (mixed-case) address.
            return Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(Setting.WALLET_PATTERN.envName() + " is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
