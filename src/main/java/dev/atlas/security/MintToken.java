package dev.atlas.security;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command line: mints an HS256 token with the same settings as the server ({@code ATLAS_JWT_SECRET}, or the
 * secret the one-command run generated under {@code ATLAS_DATA_DIR}) and prints only the token, so that it can
 * be captured: {@code TOKEN=$(java -cp … dev.atlas.security.MintToken --role admin)}.
 *
 * <pre>
 * java -cp 'target/atlas/WEB-INF/classes:target/atlas/WEB-INF/lib/*' dev.atlas.security.MintToken \
 *      --role agent --wallet 0x52908400098527886E0F7030069857D2E4169EE7 --sub alice --ttl 8h
 * </pre>
 *
 * Options: {@code --role admin|agent} (required), {@code --wallet} (agents only, required for them),
 * {@code --sub} (optional), {@code --ttl} ({@code 90s}, {@code 30m}, {@code 8h}, {@code 7d} or ISO-8601 such as
 * {@code PT8H}; default 1h). Exit code 0 with the token on stdout; 2 with the error on stderr.
 *
 * <p>Run it from the directory the server runs in (or with the same {@code ATLAS_*} environment), so that it
 * finds the same {@code conf/atlas.properties} and data directory. One run per process; not for concurrent use.
 */
public final class MintToken {
    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    static final String USAGE = "usage: MintToken --role admin|agent [--wallet 0x…] [--sub NAME] [--ttl 8h]";

    private static final Set<String> OPTIONS = Set.of("role", "wallet", "sub", "ttl");
    private static final Pattern SHORT_DURATION = Pattern.compile("([1-9][0-9]{0,6})([smhd])");

    private MintToken() {
    }

    public static void main(String[] args) {
        // A command-line tool: its output is the token on stdout and errors on stderr, for shell pipelines;
        // that is the one place in Atlas where System.out is right and a logger is not.
        int code = run(args, AtlasConfig::load, System.out, System.err);
        System.exit(code);
    }

    /** The whole command, minus {@code System.exit}: returns the exit code. */
    static int run(String[] args, Supplier<AtlasConfig> config, PrintStream out, PrintStream err) {
        try {
            Map<String, String> opts = parse(args);
            if (opts.containsKey("help")) {
                out.println(USAGE);
                return 0;
            }
            String role = opts.get("role");
            if (role == null) {
                throw new UsageException("--role is required");
            }
            Role r = Role.fromClaim(role.toLowerCase(Locale.ROOT))
                    .orElseThrow(() -> new UsageException("--role must be admin or agent"));
            String wallet = opts.get("wallet");
            Duration ttl = opts.containsKey("ttl") ? duration(opts.get("ttl")) : DEFAULT_TTL;
            if (r == Role.ADMIN && wallet != null) {
                throw new UsageException("--wallet is for agent tokens only");
            }
            if (r == Role.AGENT && wallet == null) {
                throw new UsageException("--wallet is required for an agent token");
            }
            TokenMinter minter = Keys.minterForCommandLine(config.get());
            String token = r == Role.ADMIN
                    ? minter.admin(opts.get("sub"), ttl)
                    : minter.agent(wallet, opts.get("sub"), ttl);
            out.println(token);
            return 0;
        } catch (UsageException | IllegalArgumentException e) {
            err.println("MintToken: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (ConfigException e) {
            err.println("MintToken: " + e.getMessage());
            return 2;
        }
    }

    private static Map<String, String> parse(String[] args) throws UsageException {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                opts.put("help", "");
                continue;
            }
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            if (!OPTIONS.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (opts.put(name, value) != null) {
                throw new UsageException("--" + name + " is given twice");
            }
        }
        return opts;
    }

    static Duration duration(String text) throws UsageException {
        Matcher m = SHORT_DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new UsageException("--ttl must look like 90s, 30m, 8h, 7d or PT8H, got '" + text + "'");
        }
    }

    /** A mistake on the command line. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
