package dev.atlas.agent;

import dev.atlas.agent.WalletSignInException.Reason;
import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.db.Database;
import dev.atlas.security.SiweMessage;
import dev.atlas.security.WalletSignature;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sign-In with Ethereum (EIP-4361) for agents: issues single-use nonces (in the database, so any node accepts
 * them) and checks a signed message against this server, the nonce, the clock and the roster. The nonce is
 * consumed by one {@code DELETE} whose row count says who won, so of concurrent uses at most one succeeds.
 * Thread-safe: stateless apart from its collaborators.
 */
@ApplicationScoped
public class WalletSignIn {
    /** A nonce: what the server hands out, as the client puts it into the message. */
    public record Nonce(String nonce, Instant expiresAt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Database db;
    private AgentService agents;
    private String domain;
    private Set<Long> chainIds;
    private Duration nonceTtl;
    private Duration skew;

    /** For CDI proxies only. */
    protected WalletSignIn() {
    }

    @Inject
    public WalletSignIn(Database db, AgentService agents, AtlasConfig config) {
        this.db = db;
        this.agents = agents;
        this.domain = config.get(Setting.SIWE_DOMAIN).trim();
        this.chainIds = Arrays.stream(config.get(Setting.SIWE_CHAIN_IDS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(Long::valueOf).collect(Collectors.toUnmodifiableSet());
        this.nonceTtl = Duration.ofSeconds(config.getLong(Setting.SIWE_NONCE_TTL_SECONDS));
        this.skew = Duration.ofSeconds(config.getLong(Setting.JWT_CLOCK_SKEW_SECONDS));
    }

    /** A fresh nonce for {@code clientIp} (96 random bits, 16 letters and digits); expired ones are swept first. */
    public Nonce issue(String clientIp) {
        char[] c = new char[16];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        String nonce = new String(c);
        long now = System.currentTimeMillis();
        long expires = now + nonceTtl.toMillis();
        db.inTransaction(em -> {
            em.createNativeQuery("DELETE FROM auth_nonce WHERE expires_at < ?").setParameter(1, now).executeUpdate();
            return em.createNativeQuery("INSERT INTO auth_nonce (nonce, client_ip, created_at, expires_at) VALUES (?, ?, ?, ?)")
                    .setParameter(1, nonce).setParameter(2, clientIp.length() > 100 ? clientIp.substring(0, 100) : clientIp)
                    .setParameter(3, now).setParameter(4, expires).executeUpdate();
        });
        return new Nonce(nonce, Instant.ofEpochMilli(expires));
    }

    /**
     * The lower-case wallet that signed {@code message}, if every check holds; the nonce is used up by a
     * message that got as far as the nonce check, whatever follows.
     *
     * @param requestHost the request's {@code Host} (as the proxy forwards it), used when {@code ATLAS_SIWE_DOMAIN} is empty
     * @throws WalletSignInException naming the first check that failed
     */
    public String verify(String message, String signature, String requestHost) {
        SiweMessage m;
        try {
            m = SiweMessage.parse(message);
        } catch (SiweMessage.MalformedException e) {
            throw new WalletSignInException(Reason.MALFORMED_MESSAGE, "The message is not an EIP-4361 message: " + e.getMessage() + ".");
        }
        String expected = (domain.isEmpty() ? (requestHost == null ? "" : requestHost) : domain).toLowerCase(Locale.ROOT);
        if (!m.domain().toLowerCase(Locale.ROOT).equals(expected)) {
            throw new WalletSignInException(Reason.WRONG_DOMAIN, "The message is for domain " + m.domain() + ", not " + expected + ".");
        }
        String authority = URI.create(m.uri()).getRawAuthority();
        if (authority == null || !authority.toLowerCase(Locale.ROOT).equals(expected)) {
            throw new WalletSignInException(Reason.WRONG_URI, "The message's URI " + m.uri() + " is not on " + expected + ".");
        }
        if (!chainIds.contains(m.chainId())) {
            throw new WalletSignInException(Reason.WRONG_CHAIN, "Chain ID " + m.chainId() + " is not allowed (allowed: "
                    + chainIds.stream().sorted().map(String::valueOf).collect(Collectors.joining(", ")) + ").");
        }
        Instant now = Instant.now();
        if (m.issuedAt().isAfter(now.plus(skew))) {
            throw new WalletSignInException(Reason.FUTURE_ISSUED_AT, "The message's Issued At is in the future.");
        }
        if (m.expirationTime() != null && !m.expirationTime().isAfter(now.minus(skew))) {
            throw new WalletSignInException(Reason.EXPIRED_MESSAGE, "The message expired at " + m.expirationTime() + ".");
        }
        if (m.notBefore() != null && m.notBefore().isAfter(now.plus(skew))) {
            throw new WalletSignInException(Reason.NOT_YET_VALID, "The message is not valid before " + m.notBefore() + ".");
        }
        if (!WalletSignature.checksumValid(m.address())) {
            throw new WalletSignInException(Reason.BAD_CHECKSUM, "The address " + m.address() + " does not carry its EIP-55 checksum.");
        }
        consume(m.nonce(), now);
        String signer;
        if (signature != null && signature.matches("(0x)?([0-9a-fA-F]{2}){66,}")) {
            throw new WalletSignInException(Reason.CONTRACT_WALLET, "The signature is not a 65-byte key signature; "
                    + "contract wallets (EIP-1271) need a chain connection and are not supported.");
        }
        try {
            signer = WalletSignature.recover(message, signature);
        } catch (SignatureException e) {
            throw new WalletSignInException(Reason.MALFORMED_SIGNATURE, "The signature is unusable: " + e.getMessage() + ".");
        }
        String wallet = m.address().toLowerCase(Locale.ROOT);
        if (!signer.equals(wallet)) {
            throw new WalletSignInException(Reason.WRONG_SIGNER, "The signature is not by " + m.address()
                    + " (contract wallets, EIP-1271, are not supported).");
        }
        try {
            if (!agents.get(wallet).active()) {
                throw new WalletSignInException(Reason.INACTIVE_AGENT, "The agent " + wallet + " is deactivated.");
            }
        } catch (AgentNotFoundException | dev.atlas.task.ValidationException e) {
            throw new WalletSignInException(Reason.UNKNOWN_AGENT, "The wallet " + wallet + " is not an agent of this server.");
        }
        return wallet;
    }

    /** Uses the nonce up: of concurrent uses, the one whose DELETE removed the row wins. */
    private void consume(String nonce, Instant now) {
        Long expires = db.inTransaction(em -> {
            @SuppressWarnings("unchecked")
            java.util.List<Object> found = em.createNativeQuery("SELECT expires_at FROM auth_nonce WHERE nonce = ?")
                    .setParameter(1, nonce).getResultList();
            int deleted = em.createNativeQuery("DELETE FROM auth_nonce WHERE nonce = ?").setParameter(1, nonce).executeUpdate();
            return deleted == 1 && !found.isEmpty() ? ((Number) found.get(0)).longValue() : null;
        });
        if (expires == null) {
            throw new WalletSignInException(Reason.UNKNOWN_NONCE, "The nonce was not issued by this server or is used up.");
        }
        if (expires <= now.toEpochMilli()) {
            throw new WalletSignInException(Reason.EXPIRED_NONCE, "The nonce expired; ask for a new one.");
        }
    }
}
