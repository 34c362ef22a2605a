package dev.atlas.task;

import java.util.Set;

/**
 * Conditions a caller puts on a change or a read of one task.
 *
 * @param onlyWallet  the caller may touch only tasks of this agent (an agent's own wallet); null: any task.
 *                    Another agent's task is reported as not found, so its existence does not leak.
 * @param ifMatch     the task versions the caller's {@code If-Match} accepts; null: no condition; empty: {@code *}
 */
public record Guard(String onlyWallet, Set<Long> ifMatch) {
    public static final Guard NONE = new Guard(null, null);

    public static Guard ownedBy(String wallet) {
        return new Guard(wallet, null);
    }

    public Guard withIfMatch(Set<Long> versions) {
        return new Guard(onlyWallet, versions);
    }
}
