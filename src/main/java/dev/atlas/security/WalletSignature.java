package dev.atlas.security;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Locale;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * EIP-55 checksums and EIP-191 {@code personal_sign} signatures on secp256k1, through web3j's crypto module
 * (Bouncy Castle underneath): no curve arithmetic of our own. Stateless; thread-safe.
 */
public final class WalletSignature {
    private WalletSignature() {
    }

    /** Whether {@code address} (0x and 40 hex digits) carries its EIP-55 mixed-case checksum exactly. */
    public static boolean checksumValid(String address) {
        return Keys.toChecksumAddress(address.toLowerCase(Locale.ROOT)).equals(address);
    }

    /**
     * The address (lower-case, 0x…) whose key signed {@code message} with {@code personal_sign}: the 65-byte
     * {@code r || s || v} signature in hex, v 27/28 (or 0/1, as some wallets send it).
     *
     * @throws SignatureException when the signature is not 65 bytes of hex, v is not one of those, or no key
     *         recovers from it
     */
    public static String recover(String message, String signatureHex) throws SignatureException {
        if (signatureHex == null || !signatureHex.matches("(0x)?[0-9a-fA-F]{130}")) {
            throw new SignatureException("signature must be 65 bytes in hex");
        }
        byte[] sig = Numeric.hexStringToByteArray(signatureHex);
        byte v = sig[64];
        if (v == 0 || v == 1) {
            v += 27;
        }
        if (v != 27 && v != 28) {
            throw new SignatureException("signature's v must be 27 or 28");
        }
        byte[] r = java.util.Arrays.copyOfRange(sig, 0, 32);
        byte[] s = java.util.Arrays.copyOfRange(sig, 32, 64);
        // EIP-2: only low-s signatures; the high-s twin of a valid signature is the same signer but another string
        if (new BigInteger(1, s).compareTo(Sign.CURVE_PARAMS.getN().shiftRight(1)) > 0) {
            throw new SignatureException("signature's s is not in the lower half of the curve order (EIP-2)");
        }
        try {
            BigInteger key = Sign.signedPrefixedMessageToKey(message.getBytes(StandardCharsets.UTF_8),
                    new Sign.SignatureData(v, r, s));
            return "0x" + Keys.getAddress(key).toLowerCase(Locale.ROOT);
        } catch (SignatureException | RuntimeException e) {
            throw new SignatureException("no public key recovers from the signature");
        }
    }
}
