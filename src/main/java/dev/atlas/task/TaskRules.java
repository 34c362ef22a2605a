package dev.atlas.task;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.config.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The field rules of a task, the one place that decides what its text may be (create, edit and assign all
 * come here): title 1–200 characters after trimming, description at most 10,000, agent wallet matching the
 * configured pattern (stored lower-case, at most 128). Lengths count Unicode code points (an emoji is one
 * character, a combining accent is one of its own), never UTF-16 units or bytes; the columns are sized so that
 * both databases store every value allowed here (migration V3: H2 counts UTF-16 units, PostgreSQL code points).
 *
 * <p>Refused with the field's name, because no database stores them as given or they are a way to disguise
 * text: an unpaired surrogate (a JSON {@code \\ud800} escape: PostgreSQL would store {@code ?}), control
 * characters — C0 (U+0000, which PostgreSQL cannot store at all, to U+001F), DEL and C1 (U+0080–U+009F) — except
 * tab, line feed and carriage return in the description, line and paragraph separators (U+2028, U+2029) in the
 * one-line fields, and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069; "Trojan Source").
 * Everything else is kept exactly as sent (no normalization). Immutable; thread-safe.
 */
public final class TaskRules {
    public static final int TITLE_MAX = 200;
    public static final int DESCRIPTION_MAX = 10_000;
    /** Longest wallet, in code points after lower-casing: what a permissive {@code ATLAS_WALLET_PATTERN} can reach. */
    public static final int WALLET_MAX = 128;

    private final Pattern walletPattern;

    public TaskRules(AtlasConfig config) {
        this(config.get(Setting.WALLET_PATTERN));
    }

    public TaskRules(String walletRegex) {
        try {
            // Wallets are compared case-insensitively and stored lower-case (Setting.WALLET_PATTERN), so a
            // lower-case-only pattern must still accept a checksummed (mixed-case) address.
            this.walletPattern = Pattern.compile(walletRegex, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            throw new ConfigException("ATLAS_WALLET_PATTERN is not a valid regular expression: " + e.getDescription());
        }
    }

    /** The trimmed title; adds an error when it is missing, blank or too long. */
    String title(String raw, List<FieldError> errors) {
        if (raw == null) {
            errors.add(new FieldError("title", "is required"));
            return null;
        }
        String t = raw.strip();
        String refused = refusedCharacter(t, false);
        if (t.isEmpty()) {
            errors.add(new FieldError("title", "must not be blank"));
        } else if (refused != null) {
            errors.add(new FieldError("title", refused));
        } else if (t.codePointCount(0, t.length()) > TITLE_MAX) {
            errors.add(new FieldError("title", "must be at most " + TITLE_MAX + " characters"));
        }
        return t;
    }

    String description(String raw, List<FieldError> errors) {
        if (raw == null) {
            return null;
        }
        String refused = refusedCharacter(raw, true);
        if (refused != null) {
            errors.add(new FieldError("description", refused));
        } else if (raw.codePointCount(0, raw.length()) > DESCRIPTION_MAX) {
            errors.add(new FieldError("description", "must be at most " + DESCRIPTION_MAX + " characters"));
        }
        return raw;
    }

    /** The normalized (lower-case) wallet, or null for none; adds an error when it does not match. */
    public String wallet(String raw, String field, List<FieldError> errors) {
        if (raw == null) {
            return null;
        }
        String w = raw.strip();
        String refused = refusedCharacter(w, false);
        if (refused != null) {
            errors.add(new FieldError(field, refused));
            return null;
        }
        if (!walletPattern.matcher(w).matches()) {
            errors.add(new FieldError(field, "is not a valid wallet address (pattern " + walletPattern.pattern() + ")"));
            return null;
        }
        // Counted after lower-casing, which is what is stored and may lengthen the text (U+0130 becomes two).
        String lower = w.toLowerCase(Locale.ROOT);
        if (lower.codePointCount(0, lower.length()) > WALLET_MAX) {
            errors.add(new FieldError(field, "must be at most " + WALLET_MAX + " characters"));
            return null;
        }
        return lower;
    }

    /**
     * Why {@code s} cannot be stored, naming its first refused character, or null when every character is allowed.
     * {@code multiLine}: tab, line feed, carriage return and the line and paragraph separators are allowed.
     */
    public static String refusedCharacter(String s, boolean multiLine) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) { // codePointAt gives an unpaired one as is
                return "must not contain an unpaired surrogate (found " + codePoint(c) + ")";
            }
            boolean lineBreak = c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
            if (lineBreak && !multiLine) {
                return "must be a single line (found " + codePoint(c) + ")";
            }
            if ((c < 0x20 || (c >= 0x7F && c <= 0x9F)) && !(multiLine && (c == '\t' || c == '\n' || c == '\r'))) {
                return multiLine
                        ? "must not contain control characters other than tab, line feed and carriage return (found "
                                + codePoint(c) + ")"
                        : "must not contain control characters (found " + codePoint(c) + ")";
            }
            if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
                return "must not contain bidirectional override or isolate characters (found " + codePoint(c) + ")";
            }
        }
        return null;
    }

    private static String codePoint(int c) {
        return String.format(Locale.ROOT, "U+%04X", c);
    }

    /** Normalizes a wallet used as a filter; throws {@link ValidationException} when it is not one. */
    public String walletFilter(String raw) {
        List<FieldError> errors = new ArrayList<>();
        String w = wallet(raw, "agentWallet", errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return w;
    }
}
