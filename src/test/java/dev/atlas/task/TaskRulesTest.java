package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskRulesTest {
    /** U+1F600: one code point, two UTF-16 chars. */
    private static final String EMOJI = "\uD83D\uDE00";
    private static final String HEX40_MIXED = "aB3dEf".repeat(6) + "0A9f"; // 40 hex digits

    private final TaskRules rules = new TaskRules(AtlasConfig.load(Map.of(), null));
    private final List<FieldError> errors = new ArrayList<>();

    private void assertOneError(String field) {
        assertEquals(1, errors.size(), () -> "errors: " + errors);
        assertEquals(field, errors.get(0).field());
    }

    @Nested
    class Title {
        @Test
        void missingIsRequired() {
            assertNull(rules.title(null, errors));
            assertOneError("title");
            assertEquals("is required", errors.get(0).message());
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "   ", "\t\n", "\u2003"})
        void blankIsRejected(String raw) {
            rules.title(raw, errors);
            assertOneError("title");
            assertEquals("must not be blank", errors.get(0).message());
        }

        @Test
        void isTrimmed() {
            assertEquals("Ship it", rules.title("  Ship it \t\n", errors));
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @Test
        void twoHundredCharactersIsTheLimit() {
            assertEquals("a".repeat(200), rules.title("a".repeat(200), errors));
            assertTrue(errors.isEmpty(), errors::toString);

            rules.title("a".repeat(201), errors);
            assertOneError("title");
            assertEquals("must be at most 200 characters", errors.get(0).message());
        }

        @Test
        void surroundingWhitespaceDoesNotCountTowardsTheLimit() {
            rules.title("   " + "a".repeat(200) + "   ", errors);
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @Test
        void limitCountsCodePointsNotUtf16Chars() {
            String twoHundred = EMOJI.repeat(200); // 400 chars
            assertEquals(400, twoHundred.length());
            assertEquals(twoHundred, rules.title(twoHundred, errors));
            assertTrue(errors.isEmpty(), errors::toString);

            rules.title("a".repeat(199) + EMOJI, errors);
            assertTrue(errors.isEmpty(), errors::toString);

            rules.title(EMOJI.repeat(201), errors);
            assertOneError("title");
        }
    }

    @Nested
    class Description {
        @Test
        void optional() {
            assertNull(rules.description(null, errors));
            assertTrue(errors.isEmpty());
        }

        @Test
        void tenThousandIsTheLimit() {
            String max = "d".repeat(10_000);
            assertEquals(max, rules.description(max, errors));
            assertTrue(errors.isEmpty(), errors::toString);

            rules.description("d".repeat(10_001), errors);
            assertOneError("description");
            assertEquals("must be at most 10000 characters", errors.get(0).message());
        }

        @Test
        void limitCountsCodePoints() {
            rules.description(EMOJI.repeat(10_000), errors);
            assertTrue(errors.isEmpty(), errors::toString);

            rules.description(EMOJI.repeat(10_001), errors);
            assertOneError("description");
        }
    }

    @Nested
    class Wallet {
        @Test
        void defaultPatternIsTheConfiguredDefault() {
            // the rules built from an empty environment use Setting.WALLET_PATTERN's default
            assertEquals("0x" + HEX40_MIXED.toLowerCase(), new TaskRules("^0x[0-9a-fA-F]{40}$")
                    .wallet("0x" + HEX40_MIXED, "agentWallet", errors));
            assertEquals("0x" + HEX40_MIXED.toLowerCase(), rules.wallet("0x" + HEX40_MIXED, "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @Test
        void mixedCaseIsAcceptedAndStoredLowerCase() {
            String w = rules.wallet("0xABCDEF0123456789abcdefABCDEF0123456789Ab", "agentWallet", errors);
            assertEquals("0xabcdef0123456789abcdefabcdef0123456789ab", w);
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @Test
        void surroundingWhitespaceIsIgnored() {
            assertEquals("0x" + "a".repeat(40), rules.wallet("  0x" + "A".repeat(40) + " ", "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @Test
        void noneIsNull() {
            assertNull(rules.wallet(null, "agentWallet", errors));
            assertTrue(errors.isEmpty());
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "0x" + "a" + "0123456789abcdef0123456789abcdef012345", // 39 hex digits
                "0x" + "0123456789abcdef0123456789abcdef01234567" + "8", // 41 hex digits
                "0x" + "0123456789abcdef0123456789abcdef0123456g", // non-hex g
                "0x" + "0123456789abcdef0123456789abcdef012345 7", // space inside
                "0123456789abcdef0123456789abcdef01234567", // no 0x
                "0123456789abcdef0123456789abcdef0123456789", // 42 chars, no 0x
                "x0" + "0123456789abcdef0123456789abcdef01234567",
                "0x",
                "",
                "  "})
        void invalidIsRejectedWithTheGivenField(String raw) {
            assertNull(rules.wallet(raw, "someField", errors));
            assertOneError("someField");
            assertTrue(errors.get(0).message().contains("^0x[0-9a-fA-F]{40}$"), errors.get(0).message());
        }

        @Test
        void lengthsAroundFortyHexDigits() {
            assertEquals(1, countErrors("0x" + "a".repeat(39)));
            assertEquals(0, countErrors("0x" + "a".repeat(40)));
            assertEquals(1, countErrors("0x" + "a".repeat(41)));
        }

        private int countErrors(String raw) {
            List<FieldError> e = new ArrayList<>();
            rules.wallet(raw, "agentWallet", e);
            return e.size();
        }

        @Test
        void customPatternFromTheStringConstructor() {
            TaskRules custom = new TaskRules("^acct-[0-9]{3}$");
            assertEquals("acct-007", custom.wallet("acct-007", "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);

            assertNull(custom.wallet("0x" + "a".repeat(40), "agentWallet", errors));
            assertOneError("agentWallet");
            assertTrue(errors.get(0).message().contains("^acct-[0-9]{3}$"), errors.get(0).message());
        }

        @Test
        void customPatternIsComparedCaseInsensitively() {
            // Setting.WALLET_PATTERN documents "compared case-insensitively, stored lower-case": an operator
            // who writes a lower-case-only pattern still accepts a checksummed (mixed-case) address.
            TaskRules lowerOnly = new TaskRules("^0x[0-9a-f]{40}$");
            assertEquals("0x" + HEX40_MIXED.toLowerCase(),
                    lowerOnly.wallet("0x" + HEX40_MIXED, "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @Test
        void upperCasePrefixMatchesCaseInsensitivelyAndIsStoredLowerCase() {
            assertEquals("0x" + "a".repeat(40), rules.wallet("0X" + "A".repeat(40), "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @ParameterizedTest
        @ValueSource(strings = {"[", "(unclosed", "a{2,1}", "*"})
        void invalidRegexIsAConfigErrorNamingTheSetting(String regex) {
            ConfigException e = assertThrows(ConfigException.class, () -> new TaskRules(regex));
            assertTrue(e.getMessage().contains("ATLAS_WALLET_PATTERN"), e.getMessage());
        }

        @Test
        void invalidRegexFromTheEnvironment() {
            AtlasConfig config = AtlasConfig.load(Map.of("ATLAS_WALLET_PATTERN", "[0-9"), null);
            ConfigException e = assertThrows(ConfigException.class, () -> new TaskRules(config));
            assertTrue(e.getMessage().contains("ATLAS_WALLET_PATTERN"), e.getMessage());
        }

        @Test
        void filterNormalizes() {
            assertEquals("0x" + "ab".repeat(20), rules.walletFilter("0x" + "Ab".repeat(20)));
            assertNull(rules.walletFilter(null));
        }

        @Test
        void filterRejectsWithFieldAgentWallet() {
            ValidationException e = assertThrows(ValidationException.class, () -> rules.walletFilter("0xnope"));
            assertEquals(1, e.errors().size());
            assertEquals("agentWallet", e.errors().get(0).field());
        }
    }
}
