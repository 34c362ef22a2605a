package dev.atlas.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.security.Authenticator;
import dev.atlas.security.Principal;
import dev.atlas.security.TokenMinter;
import dev.atlas.task.FieldError;
import dev.atlas.task.TaskRules;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    private static final Set<String> FIELDS = Set.of("role", "wallet", "sub", "ttl");
    /**
     * The longest subject, in code points: a token travels in an {@code Authorization} header (Tomcat's limit for all
     * headers is 8 KiB), and the longest subject at 4 bytes a code point keeps the token under 2 KiB.
     */
    static final int SUB_MAX = 200;

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
    @ApiResponse(responseCode = "400", ref = "BadRequest")
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
        List<FieldError> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(name, "unknown field (allowed: role, wallet, sub, ttl)"));
            }
        });
        String role = text(body, "role", errors);
        String wallet = text(body, "wallet", errors);
        String sub = text(body, "sub", errors);
        String ttlText = text(body, "ttl", errors);
        if (role == null && !body.has("role")) {
            errors.add(new FieldError("role", "is required: admin or agent"));
        } else if (role != null && !role.equals("admin") && !role.equals("agent")) {
            errors.add(new FieldError("role", "must be admin or agent"));
        }
        if ("agent".equals(role) && wallet == null && !body.has("wallet")) {
            errors.add(new FieldError("wallet", "is required for an agent token"));
        } else if ("admin".equals(role) && body.has("wallet")) {
            errors.add(new FieldError("wallet", "only an agent token carries a wallet"));
        }
        if (sub != null) {
            String why = TaskRules.refusedCharacter(sub, false);
            if (why != null) {
                errors.add(new FieldError("sub", why));
            } else if (sub.isBlank() || sub.codePointCount(0, sub.length()) > SUB_MAX) {
                errors.add(new FieldError("sub", "must be 1 to " + SUB_MAX + " characters"));
            }
        }
        Duration ttl = null;
        try {
            ttl = ttl(ttlText == null ? "1h" : ttlText);
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        try {
            return Map.of("token", role.equals("admin") ? minter.admin(sub, ttl) : minter.agent(wallet, sub, ttl));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage().startsWith("lifetime") ? "ttl" : "wallet", e.getMessage());
        }
    }

    /** The string value of {@code field}, or null when absent; any other JSON type is an error for that field. */
    private static String text(JsonNode body, String field, List<FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return v.asText();
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
