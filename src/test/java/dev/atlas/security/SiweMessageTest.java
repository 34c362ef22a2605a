package dev.atlas.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The EIP-4361 parser against the specification's examples and malformed variants of them. */
class SiweMessageTest {
    /** The specification's example message (EIP-4361, "Example message"). */
    static final String SPEC = """
            service.invalid wants you to sign in with your Ethereum account:
            0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

            I accept the ServiceOrg Terms of Service: https://service.invalid/tos

            URI: https://service.invalid/login
            Version: 1
            Chain ID: 1
            Nonce: 32891756
            Issued At: 2021-09-30T16:25:24Z
            Resources:
            - ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
            - https://example.com/my-web2-claim.json""";

    @Test
    void theSpecificationsExample() throws Exception {
        SiweMessage m = SiweMessage.parse(SPEC);
        assertNull(m.scheme());
        assertEquals("service.invalid", m.domain());
        assertEquals("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", m.address());
        assertEquals("I accept the ServiceOrg Terms of Service: https://service.invalid/tos", m.statement());
        assertEquals("https://service.invalid/login", m.uri());
        assertEquals("1", m.version());
        assertEquals(1, m.chainId());
        assertEquals("32891756", m.nonce());
        assertEquals(Instant.parse("2021-09-30T16:25:24Z"), m.issuedAt());
        assertNull(m.expirationTime());
        assertEquals(List.of("ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
                "https://example.com/my-web2-claim.json"), m.resources());
    }

    @Test
    void theSpecificationsExampleWithSchemeAndEveryOptionalField() throws Exception {
        SiweMessage m = SiweMessage.parse("""
                https://example.com:3388 wants you to sign in with your Ethereum account:
                0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

                URI: https://example.com:3388/login
                Version: 1
                Chain ID: 137
                Nonce: 32891756abc
                Issued At: 2021-09-30T16:25:24.000+02:00
                Expiration Time: 2021-10-01T16:25:24Z
                Not Before: 2021-09-30T16:00:00Z
                Request ID: some-id-1""");
        assertEquals("https", m.scheme());
        assertEquals("example.com:3388", m.domain());
        assertNull(m.statement(), "no statement, one blank line (as siwe's toMessage writes it)");
        assertEquals(137, m.chainId());
        assertEquals(Instant.parse("2021-09-30T14:25:24Z"), m.issuedAt());
        assertEquals(Instant.parse("2021-10-01T16:25:24Z"), m.expirationTime());
        assertEquals(Instant.parse("2021-09-30T16:00:00Z"), m.notBefore());
        assertEquals("some-id-1", m.requestId());
        assertEquals(List.of(), m.resources());
        String twoBlankLines = SPEC.replace("I accept the ServiceOrg Terms of Service: https://service.invalid/tos\n", "");
        assertNull(SiweMessage.parse(twoBlankLines).statement(), "the ABNF's form without a statement");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "preamble|service.invalid wants you to sign in with your Ethereum account:|service.invalid wants you to sign in with your account:",
        "address too short|0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2|0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc",
        "address not hex|0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2|0xZ02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        "version 2|Version: 1|Version: 2",
        "chain id not a number|Chain ID: 1|Chain ID: one",
        "chain id zero|Chain ID: 1|Chain ID: 0",
        "short nonce|Nonce: 32891756|Nonce: 1234567",
        "nonce with symbols|Nonce: 32891756|Nonce: 3289-1756",
        "issued at without zone|Issued At: 2021-09-30T16:25:24Z|Issued At: 2021-09-30T16:25:24",
        "issued at missing|Issued At: 2021-09-30T16:25:24Z\n|",
        "fields out of order|URI: https://service.invalid/login\nVersion: 1|Version: 1\nURI: https://service.invalid/login",
        "relative URI|URI: https://service.invalid/login|URI: /login",
        "resource without dash|- https://example.com/my-web2-claim.json|https://example.com/my-web2-claim.json",
        "unknown trailing field|- https://example.com/my-web2-claim.json|- https://example.com/my-web2-claim.json\nFoo: bar",
        "CRLF line ends|\n|\r\n",
        "statement without blank line after|I accept the ServiceOrg Terms of Service: https://service.invalid/tos\n\n|I accept the ServiceOrg Terms of Service: https://service.invalid/tos\n",
        "domain with a space|service.invalid wants|service invalid wants",
    })
    void malformedVariantsAreRefused(String change) {
        String[] p = change.split("\\|", -1);
        String text = SPEC.replace(p[1], p[2]);
        org.junit.jupiter.api.Assertions.assertNotEquals(SPEC, text, "the variant changes the message");
        assertThrows(SiweMessage.MalformedException.class, () -> SiweMessage.parse(text), p[0]);
    }

    @Test
    void emptyAndTruncatedMessagesAreRefused() {
        assertThrows(SiweMessage.MalformedException.class, () -> SiweMessage.parse(""));
        assertThrows(SiweMessage.MalformedException.class, () -> SiweMessage.parse(null));
        assertThrows(SiweMessage.MalformedException.class, () -> SiweMessage.parse(SPEC.substring(0, SPEC.indexOf("Version"))));
    }
}
