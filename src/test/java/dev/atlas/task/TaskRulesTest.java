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

    /** What the one-line fields (title, wallet) and the description may contain; the same rule for create and edit. */
    @Nested
    class Characters {
        /** Code point, what the title says about it. */
        @ParameterizedTest
        @ValueSource(ints = {0x0000, 0x0001, 0x0007, 0x0009, 0x001B, 0x001F, 0x007F, 0x0080, 0x0085, 0x009F})
        void controlCharactersInsideATitleAreRefusedAndNamed(int c) {
            rules.title("a" + Character.toString(c) + "b", errors);
            assertOneError("title");
            assertEquals(String.format("must not contain control characters (found U+%04X)", c), errors.get(0).message());
        }

        @ParameterizedTest
        @ValueSource(ints = {'\n', '\r', 0x2028, 0x2029})
        void aTitleIsOneLine(int c) {
            rules.title("a" + Character.toString(c) + "b", errors);
            assertOneError("title");
            assertEquals(String.format("must be a single line (found U+%04X)", c), errors.get(0).message());
        }

        @ParameterizedTest
        @ValueSource(ints = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069})
        void bidiOverridesAndIsolatesAreRefusedEverywhere(int c) {
            String s = "abc" + Character.toString(c) + "def";
            rules.title(s, errors);
            rules.description(s, errors);
            rules.wallet(s, "agentWallet", errors);
            assertEquals(List.of("title", "description", "agentWallet"), errors.stream().map(FieldError::field).toList());
            String expected = String.format("must not contain bidirectional override or isolate characters (found U+%04X)", c);
            assertTrue(errors.stream().allMatch(e -> e.message().equals(expected)), errors::toString);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\ud800", "a\udbffb", "\udc00x", "x\ude00", "\ude00\ud83d", "\ud83d\ud83d\ude00"})
        void unpairedSurrogatesAreRefused(String s) {
            rules.title(s, errors);
            rules.description(s, errors);
            assertEquals(2, errors.size(), errors::toString);
            assertTrue(errors.get(0).message().startsWith("must not contain an unpaired surrogate (found U+D"),
                    errors.get(0).message());
        }

        @Test
        void theDescriptionKeepsTabsAndLineBreaksButNoOtherControl() {
            String text = "line 1\r\n\tline 2\nline 3\u2028line 4\u2029";
            assertEquals(text, rules.description(text, errors));
            assertTrue(errors.isEmpty(), errors::toString);

            for (int c : new int[] {0x0000, 0x000B, 0x000C, 0x007F, 0x0085}) {
                List<FieldError> e = new ArrayList<>();
                rules.description("x" + Character.toString(c), e);
                assertEquals(List.of(new FieldError("description", String.format(
                        "must not contain control characters other than tab, line feed and carriage return (found U+%04X)",
                        c))), e);
            }
        }

        @Test
        void aTitleRefusesATabInsideButTrimsWhitespaceAndControlsAround() {
            rules.title("a\tb", errors);
            assertOneError("title");
            errors.clear();
            // String.strip: every Unicode white space, which includes U+001C..U+001F and the separators
            assertEquals("a b", rules.title("\t\n\u001f\u2028 a b\u2029\r", errors));
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "caf\u00e9", "cafe\u0301", "e\u0301\u0302\u0303\u0304", // precomposed and combining marks, kept as sent
                "\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67", "\ud83c\uddeb\ud83c\uddf7", // ZWJ sequence, flag
                "\u05e9\u05dc\u05d5\u05dd \u200f(RTL mark)\u200e \u061c", // bidi marks are not overrides
                "\ufeff", "\u200b", "\uffff", "\ufffe", "\ufdd0", "\udbff\udfff", "\ue000", // format, noncharacters, U+10FFFF, private use
                "\u00a0nbsp\u00a0", "\u4e2d\u6587", "\ud840\udc00"}) // CJK, astral CJK
        void everythingElseIsKeptExactly(String s) {
            assertEquals(s, rules.title(s, errors));
            assertEquals(s, rules.description(s, errors));
            assertTrue(errors.isEmpty(), errors::toString);
        }

        @Test
        void combiningMarksCountAsCharactersOfTheirOwn() {
            String e = "e\u0301"; // two code points
            rules.title(e.repeat(100), errors);
            assertTrue(errors.isEmpty(), errors::toString);
            rules.title(e.repeat(100) + "x", errors);
            assertOneError("title");
            assertEquals("must be at most 200 characters", errors.get(0).message());
        }

        @Test
        void zwjSequencesCountEveryCodePoint() {
            String family = "\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67"; // 5 code points, 8 UTF-16 units
            rules.title(family.repeat(40), errors);
            assertTrue(errors.isEmpty(), errors::toString);
            rules.title(family.repeat(40) + "x", errors);
            assertOneError("title");
        }

        @Test
        void aRefusedCharacterIsReportedBeforeTheLength() {
            rules.title("a".repeat(300) + "\u0000", errors);
            assertOneError("title");
            assertEquals("must not contain control characters (found U+0000)", errors.get(0).message());
        }

        @Test
        void aPermissiveWalletPatternStillRefusesWhatCannotBeStored() {
            TaskRules any = new TaskRules(".+");
            assertEquals("acct-\u00e9\ud83d\ude00", any.wallet("ACCT-\u00c9\ud83d\ude00", "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);

            for (String bad : new String[] {"a\u0000b", "a\nb", "a\u2028b", "a\ud800", "a\u202eb"}) {
                List<FieldError> e = new ArrayList<>();
                assertNull(any.wallet(bad, "agentWallet", e));
                assertEquals(1, e.size(), bad);
                assertTrue(e.get(0).message().startsWith("must"), e.get(0).message());
            }
        }

        @Test
        void aWalletIsAtMost128CharactersAfterLowerCasing() {
            TaskRules any = new TaskRules(".+");
            String astral = "\ud83d\ude00".repeat(128); // 128 code points, 256 UTF-16 units
            assertEquals(astral, any.wallet(astral, "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);

            assertNull(any.wallet(astral + "a", "agentWallet", errors));
            assertOneError("agentWallet");
            assertEquals("must be at most 128 characters", errors.get(0).message());
            errors.clear();

            // U+0130 (capital I with dot) lower-cases to two code points: 64 of them are 128 stored characters
            assertEquals("i\u0307".repeat(64), any.wallet("\u0130".repeat(64), "agentWallet", errors));
            assertTrue(errors.isEmpty(), errors::toString);
            assertNull(any.wallet("\u0130".repeat(65), "agentWallet", errors));
            assertOneError("agentWallet");
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
