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
 * The field rules of a task: title 1–200 characters after trimming, description at most 10,000,
 * agent wallet matching the configured pattern (stored lower-case). Immutable; thread-safe.
 */
public final class TaskRules {
    public static final int TITLE_MAX = 200;
    public static final int DESCRIPTION_MAX = 10_000;

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
        if (t.isEmpty()) {
            errors.add(new FieldError("title", "must not be blank"));
        } else if (t.codePointCount(0, t.length()) > TITLE_MAX) {
            errors.add(new FieldError("title", "must be at most " + TITLE_MAX + " characters"));
        }
        return t;
    }

    String description(String raw, List<FieldError> errors) {
        if (raw != null && raw.codePointCount(0, raw.length()) > DESCRIPTION_MAX) {
            errors.add(new FieldError("description", "must be at most " + DESCRIPTION_MAX + " characters"));
        }
        return raw;
    }

    /** The normalized (lower-case) wallet, or null for none; adds an error when it does not match. */
    String wallet(String raw, String field, List<FieldError> errors) {
        if (raw == null) {
            return null;
        }
        String w = raw.strip();
        if (!walletPattern.matcher(w).matches()) {
            errors.add(new FieldError(field, "is not a valid wallet address (pattern " + walletPattern.pattern() + ")"));
            return null;
        }
        return w.toLowerCase(Locale.ROOT);
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
