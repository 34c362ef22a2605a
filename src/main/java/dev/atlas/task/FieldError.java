package dev.atlas.task;

/** One rejected input field: its JSON name and why, in words for the caller. */
public record FieldError(String field, String message) {
}
