package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Text that the database must store exactly as answered (issue 13), against a real server process; subclasses
 * choose the database. Every create and edit gets 201/200 with a later {@code GET} equal to the reply, or a 400
 * problem naming exactly the offending fields — never a 500. The expected answer comes from this class's own
 * statement of the rule ({@link #expect}), not from {@code TaskRules}: lengths in code points (title 1–200 after
 * trimming, description ≤ 10,000, wallet ≤ 128 after lower-casing), no unpaired surrogates, no C0/C1 controls or DEL
 * (the description keeps tab, LF, CR), no line or paragraph separators in title and wallet, no bidi overrides or
 * isolates. The server runs with the permissive wallet pattern {@link #WALLET_PATTERN}, so that the wallet's own text
 * rules and its column are exercised too.
 *
 * <p>The generated cases are seeded ({@code -Datlas.text.seed=N} to replay one; every failure names the seed and
 * the case). Strings are sent as JSON with a random mix of raw UTF-8 and {@code \\uXXXX} escapes (unpaired
 * surrogates can only travel as escapes). Bodies that are not UTF-8 are sent as raw bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskTextContract {
    private static final Logger LOG = Logger.getLogger(TaskTextContract.class.getName());
    static final String WALLET_PATTERN = ".+";
    static final long SEED = Long.getLong("atlas.text.seed", 20261204L);
    static final int GENERATED_CASES = 300;
    static final String EMOJI = "\ud83d\ude00"; // U+1F600, 2 UTF-16 units
    static final String FAMILY = "\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67"; // 5 code points, 8 UTF-16 units
    static final String MAX_CODE_POINT = "\udbff\udfff"; // U+10FFFF

    AtlasProcess server;
    Api api;

    /** Starts the server for this class's database, with {@code settings} added. */
    abstract AtlasProcess startServer(Map<String, String> settings);

    @BeforeAll
    void startAll() {
        // a few thousand requests within a minute: the per-client rate limit is not what this suite is about
        server = startServer(Map.of("ATLAS_WALLET_PATTERN", WALLET_PATTERN, "ATLAS_REST_RATE_LIMIT", "0"));
        api = new Api(server::uri);
    }

    @AfterAll
    void stopAll() {
        if (server != null) {
            server.stop();
        }
    }

    // ---- the rule, stated again independently of TaskRules ----

    static boolean refused(String s, boolean multiLine) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
                continue;
            }
            boolean allowedBreak = multiLine && (c == '\t' || c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029');
            if (Character.isSurrogate(c) || (!allowedBreak && (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028'
                    || c == '\u2029')) || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
                return true;
            }
        }
        return false;
    }

    static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }

    /** A create or edit: the fields sent (a null value is sent as JSON null), what must come back. */
    record Input(Map<String, String> fields) {
        String json(Random random) {
            StringBuilder b = new StringBuilder("{");
            fields.forEach((k, v) -> {
                if (b.length() > 1) {
                    b.append(',');
                }
                b.append('"').append(k).append("\":");
                if (v == null) {
                    b.append("null");
                } else {
                    jsonString(b, v, random);
                }
            });
            return b.append('}').toString();
        }

        @Override
        public String toString() {
            Map<String, String> shown = new LinkedHashMap<>();
            fields.forEach((k, v) -> shown.put(k, v == null ? null : escapeAll(v)));
            return shown.toString();
        }
    }

    /** The expected answer: 400 naming {@code fields}, or success with these stored values (null: refused). */
    record Expected(Set<String> refused, Map<String, String> stored) {
    }

    static Expected expect(Input in) {
        Set<String> bad = new TreeSet<>();
        Map<String, String> stored = new HashMap<>();
        in.fields().forEach((field, v) -> {
            switch (field) {
                case "title" -> {
                    String t = v == null ? null : v.strip();
                    if (t == null || t.isEmpty() || refused(t, false) || codePoints(t) > 200) {
                        bad.add(field);
                    }
                    stored.put(field, t);
                }
                case "description" -> {
                    if (v != null && (refused(v, true) || codePoints(v) > 10_000)) {
                        bad.add(field);
                    }
                    stored.put(field, v);
                }
                case "agentWallet" -> {
                    String w = v == null ? null : v.strip();
                    String lower = w == null ? null : w.toLowerCase(Locale.ROOT);
                    if (w != null && (w.isEmpty() || refused(w, false) || codePoints(lower) > 128)) {
                        bad.add(field);
                    }
                    stored.put(field, lower);
                }
                default -> throw new IllegalArgumentException(field);
            }
        });
        return new Expected(bad, stored);
    }

    // ---- sending and checking ----

    Api.Reply send(String method, String path, byte[] body) {
        return api.send(HttpRequest.newBuilder(server.uri(path)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Creates (task == null) or edits, and checks the exact answer; returns the task as it now is. */
    JsonNode check(String what, JsonNode task, Input in, Random random) {
        Expected expected = expect(in);
        String json = in.json(random);
        Supplier<String> context = () -> what + " (seed " + SEED + "): " + in + " sent as " + json;
        Api.Reply r = task == null
                ? send("POST", "/api/tasks", json.getBytes(StandardCharsets.UTF_8))
                : send("PUT", "/api/tasks/" + task.path("id").asLong(), json.getBytes(StandardCharsets.UTF_8));
        if (!expected.refused().isEmpty()) {
            assertEquals(400, r.status(), () -> context.get() + " → " + r.body());
            assertEquals("application/problem+json", r.contentType(), context);
            assertEquals("https://atlas.dev/problems/validation", r.json().path("type").asText(), context);
            Set<String> named = new TreeSet<>();
            r.json().path("errors").forEach(e -> named.add(e.path("field").asText()));
            assertEquals(expected.refused(), named, () -> context.get() + " → " + r.body());
            if (task != null) {
                assertEquals(task, get(task), () -> context.get() + ": a refused edit changed nothing");
            }
            return task;
        }
        assertEquals(task == null ? 201 : 200, r.status(), () -> context.get() + " → " + r.body());
        JsonNode reply = r.json();
        expected.stored().forEach((field, value) -> assertEquals(value, reply.path(field).textValue(),
                () -> context.get() + ": " + field + " of " + escapeAll(reply.toString())));
        assertEquals(reply, get(reply), () -> context.get() + ": GET equals the reply");
        return reply;
    }

    JsonNode get(JsonNode task) {
        Api.Reply r = api.get("/api/tasks/" + task.path("id").asLong());
        assertEquals(200, r.status(), r::body);
        return r.json();
    }

    JsonNode base() {
        return api.create("{\"title\":\"base\",\"description\":\"d\",\"agentWallet\":\"w\"}");
    }

    static Input input(String... fieldsAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            m.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        return new Input(m);
    }

    // ---- named edge cases, on create and on edit ----

    static List<Input> edgeCases() {
        List<Input> cases = new ArrayList<>();
        for (String title : List.of("a".repeat(200), "a".repeat(201), EMOJI.repeat(200), EMOJI.repeat(201),
                "a".repeat(199) + EMOJI, MAX_CODE_POINT.repeat(200), MAX_CODE_POINT.repeat(201), FAMILY.repeat(40),
                FAMILY.repeat(40) + "x", "e\u0301".repeat(100), "e\u0301".repeat(100) + "\u0301",
                " \t\n\u2003" + EMOJI.repeat(200) + "\u2028\r ", "\ud83c\uddeb\ud83c\uddf7 flag", "\u05e9\u05dc\u05d5\u05dd \u200f",
                "\ufeff\u200b\ufffe\uffff\ufdd0\ue000", "", " ", "\u0000", "a\u0000b", "a\tb", "a\nb", "a\rb", "a\u2028b",
                "a\u2029b", "a\u0001b", "a\u001fb", "a\u007fb", "a\u0080b", "a\u0085b", "a\u009fb", "a\u202ab", "a\u202eb",
                "a\u2066b", "a\u2069b", "\ud800", "a\udbffb", "\udc00a", EMOJI.substring(1) + EMOJI.substring(0, 1))) {
            cases.add(input("title", title));
        }
        for (String description : List.of(EMOJI.repeat(10_000), EMOJI.repeat(10_001), "d".repeat(10_000),
                "d".repeat(10_001), MAX_CODE_POINT.repeat(10_000), FAMILY.repeat(2_000), "line\r\n\tline\u2028\u2029",
                "\u0000", "a\u000bb", "a\u000cb", "a\u007fb", "a\u0085b", "a\u202eb", "a\u2067b", "\udfff", "")) {
            cases.add(input("title", "t", "description", description));
        }
        for (String wallet : List.of(EMOJI.repeat(128), EMOJI.repeat(129), "\u0130".repeat(64), "\u0130".repeat(65),
                "W".repeat(128), "  Mixed-Case  ", "a\u0000", "a\nb", "a\u2028b", "a\u202eb", "\ud800", " ")) {
            cases.add(input("title", "t", "agentWallet", wallet));
        }
        cases.add(input("title", "a\u0000", "description", "\u202e", "agentWallet", "\n"));
        cases.add(input("title", EMOJI.repeat(200), "description", EMOJI.repeat(10_000), "agentWallet", EMOJI.repeat(128)));
        return cases;
    }

    @Test
    void namedEdgeCasesOnCreate() {
        Random random = new Random(SEED);
        for (Input in : edgeCases()) {
            check("create", null, in, random);
        }
    }

    @Test
    void namedEdgeCasesOnEdit() {
        Random random = new Random(SEED);
        JsonNode task = base();
        for (Input in : edgeCases()) {
            Map<String, String> edit = new LinkedHashMap<>(in.fields());
            if ("t".equals(edit.get("title"))) {
                edit.remove("title");
            }
            task = check("edit", task, new Input(edit), random);
        }
        // null clears description and agent; a title cannot be cleared
        task = check("edit", task, input("description", null, "agentWallet", null), random);
        check("edit", task, input("title", null), random);
    }

    @Test
    void refusalsNameTheCharacter() {
        Api.Reply r = api.post("/api/tasks", "{\"title\":\"a\\u0000b\",\"description\":\"x\\u202ey\",\"agentWallet\":\"\\ud800\"}");
        assertEquals(400, r.status(), r::body);
        Map<String, String> messages = new HashMap<>();
        r.json().path("errors").forEach(e -> messages.put(e.path("field").asText(), e.path("message").asText()));
        assertEquals(Map.of("title", "must not contain control characters (found U+0000)",
                "description", "must not contain bidirectional override or isolate characters (found U+202E)",
                "agentWallet", "must not contain an unpaired surrogate (found U+D800)"), messages);

        Api.Reply line = api.post("/api/tasks", "{\"title\":\"one\\u2028two\"}");
        assertEquals("must be a single line (found U+2028)", line.json().path("errors").path(0).path("message").asText());
        Api.Reply longTitle = api.post("/api/tasks", "{\"title\":\"" + EMOJI.repeat(201) + "\"}");
        assertEquals("must be at most 200 characters", longTitle.json().path("errors").path(0).path("message").asText());
    }

    // ---- generated cases ----

    /** Code points by kind; the last kinds are the ones the rule refuses somewhere. */
    private static final int[][] SAFE = {
            {0x20, 0x7e}, {0x20, 0x7e}, {0x20, 0x7e}, // ASCII printable, most often
            {0xa0, 0x24f}, // Latin-1 supplement and extended, NBSP included
            {0x300, 0x36f}, // combining marks
            {0x590, 0x6ff}, // Hebrew, Arabic (U+061C ALM included)
            {0x4e00, 0x9fff}, // CJK
            {0x200b, 0x200f}, // ZWSP, ZWNJ, ZWJ, LRM, RLM
            {0x2000, 0x200a}, // spaces
            {0xfdd0, 0xfdef}, {0xfe00, 0xfe0f}, {0xfeff, 0xfeff}, {0xfff0, 0xffff}, // noncharacters, selectors, BOM, specials
            {0xe000, 0xf8ff}, // private use
            {0x1f300, 0x1faff}, {0x1f300, 0x1faff}, // emoji
            {0x10000, 0x10ffff}, // any astral code point, noncharacters and planes 15-16 included
    };
    private static final int[][] EDGE = {
            {0x00, 0x1f}, {0x7f, 0x9f}, {'\t', '\t'}, {'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029},
            {0x202a, 0x202e}, {0x2066, 0x2069}, {0xd800, 0xdbff}, {0xdc00, 0xdfff},
    };
    private static final String[] PADDING = {" ", "\t", "\n", "\r", "\u2003", "\u3000", "\u2028", "\u001f", "\u00a0"};

    static int pick(Random random, int[][] kinds) {
        int[] k = kinds[random.nextInt(kinds.length)];
        return k[0] + random.nextInt(k[1] - k[0] + 1);
    }

    /** A string of about {@code length} code points, sometimes with characters the rule refuses, sometimes padded. */
    static String text(Random random, int length) {
        StringBuilder b = new StringBuilder();
        int chunkKind = -1;
        for (int i = 0; i < length; i++) {
            if (chunkKind < 0 || random.nextInt(8) == 0) {
                chunkKind = random.nextInt(SAFE.length); // runs of one kind, like real text
            }
            int[] k = SAFE[chunkKind];
            b.appendCodePoint(k[0] + random.nextInt(k[1] - k[0] + 1));
            if (random.nextInt(40) == 0) {
                b.append(FAMILY);
                i += 4;
            }
        }
        if (random.nextInt(3) == 0) {
            for (int n = 1 + random.nextInt(2); n > 0; n--) {
                int at = b.length() == 0 ? 0 : b.offsetByCodePoints(0, random.nextInt(b.codePointCount(0, b.length()) + 1));
                int c = pick(random, EDGE);
                if (c >= 0xd800 && c <= 0xdfff) {
                    b.insert(at, (char) c);
                } else {
                    b.insert(at, Character.toChars(c));
                }
            }
        }
        if (random.nextInt(5) == 0) {
            b.insert(0, PADDING[random.nextInt(PADDING.length)]).append(PADDING[random.nextInt(PADDING.length)]);
        }
        return b.toString();
    }

    static int length(Random random, int max) {
        return switch (random.nextInt(10)) {
            case 0 -> max - 2 + random.nextInt(5); // around the limit
            case 1 -> random.nextInt(max + 1);
            case 2 -> 0;
            default -> 1 + random.nextInt(40);
        };
    }

    static Input generated(Random random, boolean create) {
        Map<String, String> m = new LinkedHashMap<>();
        if (create || random.nextInt(3) > 0) {
            m.put("title", text(random, length(random, 200)));
        }
        if (random.nextInt(2) == 0) {
            // a long description now and then: 10,000 code points, astral ones among them
            m.put("description", random.nextInt(25) == 0 ? text(random, 9_998 + random.nextInt(5))
                    : text(random, length(random, 300)));
        }
        if (random.nextInt(3) == 0) {
            m.put("agentWallet", text(random, length(random, 128)));
        }
        if (m.isEmpty()) {
            m.put("title", text(random, 5));
        }
        return new Input(m);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void generatedTextOnCreateAndEdit() {
        Random random = new Random(SEED);
        JsonNode task = base();
        int stored = 0;
        for (int i = 0; i < GENERATED_CASES; i++) {
            JsonNode created = check("generated create #" + i, null, generated(random, true), random);
            stored += created == null ? 0 : 1;
            JsonNode before = task;
            task = check("generated edit #" + i, task, generated(random, false), random);
            stored += task == before ? 0 : 1;
        }
        // the generator must exercise both outcomes, or it tests nothing
        int accepted = stored;
        LOG.info(() -> getClass().getSimpleName() + ": " + accepted + " of " + 2 * GENERATED_CASES
                + " generated creates and edits accepted, the rest refused as expected (seed " + SEED + ")");
        assertTrue(accepted > GENERATED_CASES / 4 && accepted < 2 * GENERATED_CASES - GENERATED_CASES / 4,
                () -> "accepted " + accepted + " of " + 2 * GENERATED_CASES + " (seed " + SEED + ")");
    }

    // ---- bodies that are not UTF-8 ----

    /** hex bytes put inside the title's string, a word the problem's detail names. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "C0 AF       | an overlong encoding (C0 AF) at offset 12",
            "E0 80 AF    | an overlong encoding (E0 80 AF) at offset 12",
            "ED A0 80    | an encoded surrogate (UTF-16 halves are not UTF-8) (ED A0 80) at offset 12",
            "ED B0 80    | an encoded surrogate (UTF-16 halves are not UTF-8) (ED B0 80) at offset 12",
            "E2 82       | a sequence cut short (E2 82) at offset 12",
            "FF          | a byte that never occurs in UTF-8 (FF) at offset 12",
            "F4 90 80 80 | a code point beyond U+10FFFF (F4 90 80 80) at offset 12",
            "80          | a continuation byte without a lead byte (80) at offset 12",
            "00          | a 00 byte (U+0000 unescaped) at offset 12; JSON text cannot contain it, write \\u0000 inside a string"})
    void aBodyThatIsNotUtf8IsA400ProblemOnCreateAndEdit(String hex, String detail) {
        byte[] bad = HexFormat.ofDelimiter(" ").parseHex(hex.strip());
        JsonNode task = base();
        for (String method : List.of("POST", "PUT")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("{\"title\":\"ab".getBytes(StandardCharsets.UTF_8));
            body.writeBytes(bad);
            body.writeBytes("cd\"}".getBytes(StandardCharsets.UTF_8));
            Api.Reply r = send(method, method.equals("POST") ? "/api/tasks" : "/api/tasks/" + task.path("id").asLong(),
                    body.toByteArray());
            assertEquals(400, r.status(), () -> method + " " + hex + " → " + r.body());
            assertEquals("application/problem+json", r.contentType());
            assertEquals("https://atlas.dev/problems/invalid-utf8", r.json().path("type").asText(), r::body);
            assertEquals("Invalid UTF-8", r.json().path("title").asText());
            assertEquals("The request body is not valid UTF-8: " + detail + ". Send JSON as UTF-8 (RFC 8259).",
                    r.json().path("detail").asText());
        }
        assertEquals(task, get(task), "the refused edit changed nothing");
    }

    @Test
    void aSequenceCutShortByTheEndOfTheBodyIsA400ProblemToo() {
        byte[] body = "{\"title\":\"x\"}\u00e9".getBytes(StandardCharsets.UTF_8);
        Api.Reply r = send("POST", "/api/tasks", java.util.Arrays.copyOf(body, body.length - 1)); // C3 without its second byte
        assertEquals(400, r.status(), r::body);
        assertEquals("https://atlas.dev/problems/invalid-utf8", r.json().path("type").asText(), r::body);
        assertTrue(r.json().path("detail").asText().contains("a sequence cut short by the end of the body (C3) at offset 13"),
                r::body);
    }

    @Test
    void rawUtf8OfEveryPlaneIsStoredAsSent() {
        String title = "caf\u00e9 \u4e2d\u6587 " + EMOJI + FAMILY + " \u05e9\u05dc\u05d5\u05dd " + MAX_CODE_POINT;
        Api.Reply r = send("POST", "/api/tasks", ("{\"title\":\"" + title + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(201, r.status(), r::body);
        assertEquals(title, r.json().path("title").textValue());
        assertEquals(r.json(), get(r.json()));
    }

    // ---- JSON text of a string, with escapes chosen at random ----

    static void jsonString(StringBuilder b, String s, Random random) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || (Character.isSurrogate(c) && !pair) || random.nextInt(5) == 0) {
                b.append(String.format("\\u%04x", (int) c)); // a pair escaped half by half is one character
            } else if (pair) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /** The string with everything outside printable ASCII as {@code \\uXXXX}, for failure messages. */
    static String escapeAll(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.length() > 300 ? b.substring(0, 300) + "…(" + s.length() + " UTF-16 units)" : b.toString();
    }
}
