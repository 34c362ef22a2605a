package dev.atlas.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.security.Authenticator;
import dev.atlas.security.Principal;
import dev.atlas.security.TokenMinter;
import dev.atlas.task.ValidationException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * {@code POST /api/tokens} (admin only): mints a token with this server's HS256 secret —
 * {@code {"role":"agent","wallet":"0x…","sub":"alice","ttl":"8h"}}. Only when the server holds the secret;
 * with JWKS keys tokens come from the identity provider and this answers 404.
 */
@Tag(name = "operations")
@Path("/tokens")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class TokenResource {
    @Inject
    Authenticator authenticator;
    @Context
    SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "mintToken", summary = "Mint a token with this server's secret (admin)",
            description = "Only when tokens are HS256 with `ATLAS_JWT_SECRET`; with JWKS keys the identity provider mints them (404).")
    @RequestBody(required = true, content = @Content(schema = @Schema(ref = "MintTokenRequest")))
    @ApiResponse(responseCode = "200", description = "The token", content = @Content(schema = @Schema(ref = "MintedToken")))
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    public Map<String, String> mint(JsonNode body) {
        if (!(security.getUserPrincipal() instanceof Principal p) || !p.isAdmin()) {
            throw new ForbiddenException("Only admins may mint tokens.");
        }
        TokenMinter minter = authenticator.minter().orElseThrow(() -> new jakarta.ws.rs.NotFoundException());
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "a JSON object is required");
        }
        String role = body.path("role").asText("");
        String sub = body.path("sub").isTextual() ? body.get("sub").asText() : null;
        Duration ttl = ttl(body.path("ttl").asText("1h"));
        try {
            return switch (role) {
                case "admin" -> Map.of("token", minter.admin(sub, ttl));
                case "agent" -> Map.of("token", minter.agent(body.path("wallet").asText(null), sub, ttl));
                default -> throw new ValidationException("role", "must be admin or agent");
            };
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage().startsWith("lifetime") ? "ttl" : "wallet", e.getMessage());
        }
    }

    static Duration ttl(String s) {
        try {
            if (s.matches("\\d{1,6}[smhd]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return switch (s.charAt(s.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(s);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new ValidationException("ttl", "must be like 90s, 30m, 8h, 7d or ISO-8601 (PT8H)");
        }
    }
}
