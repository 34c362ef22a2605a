package dev.atlas.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/** EIP-55 checksums and EIP-191 signature recovery against published vectors. */
class WalletSignatureTest {
    @Test
    void eip55TestVectors() {
        // from the EIP-55 specification
        for (String a : new String[] {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
            assertTrue(WalletSignature.checksumValid(a), a);
            assertFalse(WalletSignature.checksumValid(a.toLowerCase()), "all lower-case carries no checksum: " + a);
        }
        assertFalse(WalletSignature.checksumValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), "one letter's case flipped");
    }

    @Test
    void recoversTheSignerOfAPublishedPersonalSignVector() throws Exception {
        // web3.js documentation, accounts.sign('Some data', 0x4c08…2318): the account 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23
        String sig = "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
                + "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c";
        assertEquals("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", WalletSignature.recover("Some data", sig));
        assertNotEquals("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", WalletSignature.recover("Some datA", sig),
                "another message recovers another key");
        String v01 = sig.substring(0, sig.length() - 2) + "01";
        assertEquals("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", WalletSignature.recover("Some data", v01), "v as 0/1");
    }

    @Test
    void aThrowAwayKeyRoundTrips() throws Exception {
        ECKeyPair key = Keys.createEcKeyPair();
        String message = "localhost wants you to sign in…";
        Sign.SignatureData s = Sign.signPrefixedMessage(message.getBytes(StandardCharsets.UTF_8), key);
        String hex = Numeric.toHexString(s.getR()) + Numeric.toHexStringNoPrefix(s.getS()) + Numeric.toHexStringNoPrefix(s.getV());
        assertEquals("0x" + Keys.getAddress(key), WalletSignature.recover(message, hex));
    }

    @Test
    void malformedSignaturesAreRefused() {
        assertThrows(SignatureException.class, () -> WalletSignature.recover("x", null));
        assertThrows(SignatureException.class, () -> WalletSignature.recover("x", "0x1234"));
        assertThrows(SignatureException.class, () -> WalletSignature.recover("x", "0x" + "zz".repeat(65)));
        assertThrows(SignatureException.class, () -> WalletSignature.recover("x", "0x" + "11".repeat(64) + "1d"), "v 29");
        // high s (EIP-2): n - s of a valid signature
        assertThrows(SignatureException.class, () -> WalletSignature.recover("x", "0x" + "11".repeat(32) + "ff".repeat(32) + "1b"));
    }
}
