package dev.atlas.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Sign-In with Ethereum message (EIP-4361, version 1), parsed strictly line by line after the specification's
 * ABNF: {@code [scheme://]domain wants you to sign in with your Ethereum account:}, the address, an optional
 * statement between blank lines, then the fields {@code URI}, {@code Version}, {@code Chain ID}, {@code Nonce},
 * {@code Issued At} and the optional {@code Expiration Time}, {@code Not Before}, {@code Request ID} and
 * {@code Resources}, in that order. Parsing checks the form only (the address is 0x and 40 hex digits, its
 * EIP-55 checksum is checked by {@link WalletSignature}); whether the message is for this server is the
 * caller's business. Immutable; thread-safe.
 */
public record SiweMessage(String scheme, String domain, String address, String statement, String uri,
        String version, long chainId, String nonce, Instant issuedAt, Instant expirationTime, Instant notBefore,
        String requestId, List<String> resources) {

    private static final String PREAMBLE = " wants you to sign in with your Ethereum account:";
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    // authority of RFC 3986 without userinfo: host (reg-name, IPv4 or [IPv6]) and an optional port
    private static final Pattern DOMAIN = Pattern.compile("(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9]{8,}");
    private static final Pattern CHAIN_ID = Pattern.compile("[1-9][0-9]{0,17}");

    /** Why a message is not EIP-4361. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) {
            super(message);
        }
    }

    public SiweMessage {
        resources = List.copyOf(resources);
    }

    /** Parses {@code text} (lines end with LF; a CR before it is refused as not the signed form). */
    public static SiweMessage parse(String text) throws MalformedException {
        if (text == null || text.isEmpty()) {
            throw new MalformedException("empty message");
        }
        if (text.indexOf('\r') >= 0) {
            throw new MalformedException("lines must end with LF only");
        }
        String[] lines = text.split("\n", -1);
        if (lines.length > 0 && lines[lines.length - 1].isEmpty()) {
            // one trailing LF is tolerated (some wallets add it); the signature covers exactly what was sent
            String[] trimmed = new String[lines.length - 1];
            System.arraycopy(lines, 0, trimmed, 0, trimmed.length);
            lines = trimmed;
        }
        Cursor c = new Cursor(lines);
        String first = c.next("the preamble");
        if (!first.endsWith(PREAMBLE)) {
            throw new MalformedException("first line must end with '" + PREAMBLE.trim() + "'");
        }
        String origin = first.substring(0, first.length() - PREAMBLE.length());
        String scheme = null;
        int sep = origin.indexOf("://");
        if (sep >= 0) {
            scheme = origin.substring(0, sep);
            origin = origin.substring(sep + 3);
            if (!SCHEME.matcher(scheme).matches()) {
                throw new MalformedException("invalid scheme");
            }
        }
        if (!DOMAIN.matcher(origin).matches()) {
            throw new MalformedException("invalid domain");
        }
        String address = c.next("the address");
        if (!ADDRESS.matcher(address).matches()) {
            throw new MalformedException("address must be 0x and 40 hex digits");
        }
        if (!c.next("a blank line").isEmpty()) {
            throw new MalformedException("a blank line must follow the address");
        }
        String statement = null;
        String line = c.next("the statement or a blank line");
        if (line.startsWith("URI: ")) {
            // no statement, one blank line: what siwe's own toMessage() writes (the ABNF has two)
            c.back();
        } else if (!line.isEmpty()) {
            statement = line;
            if (!c.next("a blank line").isEmpty()) {
                throw new MalformedException("a blank line must follow the statement");
            }
        }
        String uri = c.field("URI");
        try {
            URI parsed = new URI(uri);
            if (parsed.getScheme() == null) {
                throw new MalformedException("URI must be absolute");
            }
        } catch (URISyntaxException e) {
            throw new MalformedException("URI is not an RFC 3986 URI");
        }
        String version = c.field("Version");
        if (!"1".equals(version)) {
            throw new MalformedException("Version must be 1");
        }
        String chain = c.field("Chain ID");
        if (!CHAIN_ID.matcher(chain).matches()) {
            throw new MalformedException("Chain ID must be a positive integer");
        }
        String nonce = c.field("Nonce");
        if (!NONCE.matcher(nonce).matches()) {
            throw new MalformedException("Nonce must be at least 8 letters or digits");
        }
        Instant issuedAt = time("Issued At", c.field("Issued At"));
        Instant expiration = c.has("Expiration Time") ? time("Expiration Time", c.field("Expiration Time")) : null;
        Instant notBefore = c.has("Not Before") ? time("Not Before", c.field("Not Before")) : null;
        String requestId = c.has("Request ID") ? c.field("Request ID") : null;
        List<String> resources = new ArrayList<>();
        if (c.more() && c.peek().equals("Resources:")) {
            c.next("Resources");
            while (c.more()) {
                String r = c.next("a resource");
                if (!r.startsWith("- ")) {
                    throw new MalformedException("a resource line must start with '- '");
                }
                try {
                    if (new URI(r.substring(2)).getScheme() == null) {
                        throw new MalformedException("a resource must be an absolute URI");
                    }
                } catch (URISyntaxException e) {
                    throw new MalformedException("a resource is not an RFC 3986 URI");
                }
                resources.add(r.substring(2));
            }
        }
        if (c.more()) {
            throw new MalformedException("unexpected line: " + abbreviate(c.peek()));
        }
        return new SiweMessage(scheme, origin, address, statement, uri, version, Long.parseLong(chain), nonce,
                issuedAt, expiration, notBefore, requestId, resources);
    }

    private static Instant time(String field, String value) throws MalformedException {
        try {
            // RFC 3339 date-time: a time zone (Z or an offset) is required
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedException(field + " must be an RFC 3339 date-time");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static final class Cursor {
        private final String[] lines;
        private int i;

        Cursor(String[] lines) {
            this.lines = lines;
        }

        boolean more() {
            return i < lines.length;
        }

        void back() {
            i--;
        }

        String peek() {
            return lines[i];
        }

        String next(String what) throws MalformedException {
            if (!more()) {
                throw new MalformedException("message ends before " + what);
            }
            return lines[i++];
        }

        boolean has(String field) {
            return more() && lines[i].startsWith(field + ": ");
        }

        String field(String field) throws MalformedException {
            if (!has(field)) {
                throw new MalformedException("expected '" + field + ": '" + (more() ? ", got: " + abbreviate(lines[i]) : " at the end"));
            }
            String v = lines[i++].substring(field.length() + 2);
            if (v.isEmpty()) {
                throw new MalformedException(field + " is empty");
            }
            return v;
        }
    }
}
