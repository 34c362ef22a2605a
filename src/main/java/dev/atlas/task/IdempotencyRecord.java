package dev.atlas.task;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The first response to a create with an Idempotency-Key. Package-private: only {@link TaskService} uses it. */
@Entity
@Table(name = "idempotency_key")
class IdempotencyRecord {
    @Id
    @Column(name = "idem_key", length = 200)
    private String key;

    @Column(name = "request_hash", nullable = false, length = 64)
    private String requestHash;

    @Column(name = "task_id", nullable = false)
    private long taskId;

    @Column(nullable = false, length = 1000000)
    private String response;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    protected IdempotencyRecord() {
    }

    IdempotencyRecord(String key, String requestHash, long taskId, String response, long createdAt) {
        this.key = key;
        this.requestHash = requestHash;
        this.taskId = taskId;
        this.response = response;
        this.createdAt = createdAt;
    }

    String requestHash() {
        return requestHash;
    }

    String response() {
        return response;
    }

    long createdAt() {
        return createdAt;
    }
}
