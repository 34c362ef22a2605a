package dev.atlas.agent;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One agent of the roster, by its lower-case wallet. Package-private: only {@link AgentService} uses it. */
@Entity
@Table(name = "agent")
class Agent {
    @Id
    @Column(length = 256)
    private String wallet;

    @Column(name = "display_name", nullable = false, length = 400)
    private String displayName;

    @Column(nullable = false)
    private boolean active;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(name = "updated_at", nullable = false)
    private long updatedAt;

    protected Agent() {
    }

    Agent(String wallet, String displayName, long now) {
        this.wallet = wallet;
        this.displayName = displayName;
        this.active = true;
        this.createdAt = now;
        this.updatedAt = now;
    }

    void change(String displayName, Boolean active, long now) {
        if (displayName != null) {
            this.displayName = displayName;
        }
        if (active != null) {
            this.active = active;
        }
        this.updatedAt = now;
    }

    boolean active() {
        return active;
    }

    AgentView view() {
        return new AgentView(wallet, displayName, active, dev.atlas.event.WireTime.formatMillis(createdAt),
                dev.atlas.event.WireTime.formatMillis(updatedAt));
    }
}
