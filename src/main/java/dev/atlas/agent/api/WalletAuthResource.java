package dev.atlas.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.agent.WalletSignIn;
import dev.atlas.agent.WalletSignInException;
import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.security.Authenticator;
import dev.atlas.security.RateLimiter;
import dev.atlas.security.TokenMinter;
import dev.atlas.task.ValidationException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * {@code /api/auth/*}: wallet sign-in (EIP-4361), the two calls that need no token. {@code POST /api/auth/nonce}
 * hands out a single-use nonce (limited per client IP); {@code POST /api/auth/wallet} takes the signed message
 * and its {@code personal_sign} signature and answers an agent token for that wallet. Refusals are problems
 * naming the reason (see {@link WalletSignInException.Reason}); the signature is never logged.
 */
@Tag(name = "agents")
@Path("/auth")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class WalletAuthResource {
    private static final Logger LOG = Logger.getLogger(WalletAuthResource.class.getName());
    /** The request property the client-address filter leaves (web.ClientAddressFilter.ATTRIBUTE). */
    private static final String CLIENT_IP = "atlas.clientIp";

    @Inject
    WalletSignIn signIn;
    @Inject
    Authenticator authenticator;
    @Inject
    Limits limits;
    @Inject
    dev.atlas.metrics.Metrics metrics;
    @Context
    HttpHeaders headers;
    @Context
    ContainerRequestContext request;

    @POST
    @Path("nonce")
    @SecurityRequirements
    @Operation(operationId = "walletNonce", summary = "A fresh single-use nonce for a wallet sign-in message")
    @ApiResponse(responseCode = "200", description = "`{\"nonce\":\"…\",\"expiresAt\":\"…\"}`, with `address` (EIP-55) when asked")
    public Response nonce(@jakarta.ws.rs.QueryParam("address") @io.swagger.v3.oas.annotations.Parameter(
            description = "a wallet address in any case: the answer carries it with its EIP-55 checksum, as the message must "
                    + "(browsers have no Keccak-256 to compute it)") String address) {
        if (address != null && !address.matches("0x[0-9a-fA-F]{40}")) {
            throw new ValidationException("address", "must be 0x and 40 hex digits");
        }
        String ip = clientIp();
        long retryAfter = limits.nonces().acquire(ip, System.currentTimeMillis());
        if (retryAfter > 0) {
            throw new jakarta.ws.rs.ClientErrorException(Response.status(429).header(HttpHeaders.RETRY_AFTER, retryAfter).build());
        }
        WalletSignIn.Nonce n = signIn.issue(ip);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("nonce", n.nonce());
        body.put("expiresAt", dev.atlas.event.WireTime.format(n.expiresAt()));
        if (address != null) {
            body.put("address", org.web3j.crypto.Keys.toChecksumAddress(address.toLowerCase(java.util.Locale.ROOT)));
        }
        return Response.ok(body).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    @POST
    @Path("wallet")
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirements
    @Operation(operationId = "walletSignIn", summary = "Sign in with a wallet (EIP-4361 message + EIP-191 signature); answers an agent token")
    @RequestBody(required = true, content = @Content(schema = @Schema(example = "{\"message\":\"example.com wants you to sign in…\",\"signature\":\"0x…\"}")))
    @ApiResponse(responseCode = "200", description = "`{\"token\":\"…\",\"wallet\":\"0x…\",\"expiresAt\":\"…\"}`")
    @ApiResponse(responseCode = "401", description = "The message or signature was refused; `type` names the reason", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "403", description = "The wallet is not an active agent", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", ref = "NotFound")
    public Map<String, String> wallet(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "a JSON object is required");
        }
        if (!body.path("message").isTextual()) {
            throw new ValidationException("message", "is required (the EIP-4361 message, as signed)");
        }
        if (!body.path("signature").isTextual()) {
            throw new ValidationException("signature", "is required (0x and 130 hex digits)");
        }
        TokenMinter minter = authenticator.minter().orElseThrow(() -> new NotFoundException(
                "Wallet sign-in needs tokens this server mints (HS256 with ATLAS_JWT_SECRET)."));
        String ip = clientIp();
        String wallet;
        try {
            wallet = signIn.verify(body.get("message").asText(), body.get("signature").asText(), headers.getHeaderString(HttpHeaders.HOST));
        } catch (WalletSignInException e) {
            // never the signature (nor the whole message): the reason and the detail, which quotes only checked fields
            LOG.info(() -> "Wallet sign-in refused from " + ip + ": " + e.reason().slug() + ": " + e.getMessage());
            metrics.walletSignInRefused(e.reason());
            throw e;
        }
        Duration ttl = limits.tokenTtl();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("token", minter.agent(wallet, wallet, ttl));
        out.put("wallet", wallet);
        out.put("expiresAt", dev.atlas.event.WireTime.format(java.time.Instant.now().plus(ttl)));
        LOG.info(() -> "Wallet sign-in of " + wallet + " from " + ip);
        return out;
    }

    private String clientIp() {
        Object a = request.getProperty(CLIENT_IP);
        return a == null ? "unknown" : a.toString();
    }

    /** The nonce limit per client IP and the issued tokens' lifetime, from settings, once. */
    @ApplicationScoped
    public static class Limits {
        private RateLimiter nonces;
        private Duration tokenTtl;

        protected Limits() {
        }

        @Inject
        public Limits(AtlasConfig config) {
            this.nonces = new RateLimiter(config.getInt(Setting.SIWE_NONCES_PER_MINUTE));
            String ttl = config.get(Setting.SIWE_TOKEN_TTL).trim();
            try {
                this.tokenTtl = ttl.matches("\\d{1,6}[smhd]")
                        ? Duration.parse("PT" + (ttl.endsWith("d") ? Long.parseLong(ttl.substring(0, ttl.length() - 1)) * 24 + "H"
                                : ttl.toUpperCase(java.util.Locale.ROOT)))
                        : Duration.parse(ttl);
            } catch (java.time.format.DateTimeParseException e) {
                throw new dev.atlas.config.ConfigException(Setting.SIWE_TOKEN_TTL.envName() + " must be like 90s, 30m, 8h, 7d or ISO-8601, got '" + ttl + "'");
            }
            if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenTtl.compareTo(TokenMinter.MAX_TTL) > 0) {
                throw new dev.atlas.config.ConfigException(Setting.SIWE_TOKEN_TTL.envName() + " must be positive and at most "
                        + TokenMinter.MAX_TTL.toDays() + " days, got '" + ttl + "'");
            }
        }

        RateLimiter nonces() {
            return nonces;
        }

        Duration tokenTtl() {
            return tokenTtl;
        }
    }
}
