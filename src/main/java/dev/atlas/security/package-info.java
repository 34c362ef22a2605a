/**
 * Who is calling: bearer-token verification, the resulting {@link dev.atlas.security.Principal} and its
 * {@link dev.atlas.security.Role}, and the key setup that makes Atlas secure by default yet startable with
 * one command.
 *
 * <p>Entry point for the application: {@link dev.atlas.security.Keys#setUp} turns the settings into an
 * {@link dev.atlas.security.AuthMode}: either authentication is off (development mode), or it holds the
 * {@link dev.atlas.security.TokenVerifier} every REST filter and WebSocket handshake uses, and, when the key
 * is a shared secret, a {@link dev.atlas.security.TokenMinter}. {@link dev.atlas.security.MintToken} is the
 * command-line minter for operators.
 *
 * <p>Token checks are nimbus-jose-jwt's ({@code DefaultJWTProcessor}); this package pins the algorithm and
 * key, sets the claim rules, and turns every failure into an
 * {@link dev.atlas.security.AuthenticationException} whose reason is fixed text: never the token, never a
 * claim value copied from it, so it is safe in a log line, an HTTP header or a WebSocket close reason.
 *
 * <p>Depends on {@code dev.atlas.config} only.
 */
package dev.atlas.security;
