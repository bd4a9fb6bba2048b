package dev.loomgate.gateway.async;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The broker behind asynchronous routes, and all the async code knows of it: so another broker (e.g. RabbitMQ
 * quorum queues) can be added without touching the terminal step, the workers or the filters. A job is a map of
 * string fields ({@link JobFields}) under its id; a delivery is one hand-over of a job to one worker, which ends
 * with exactly one of {@link #finish}, {@link #retryLater} or {@link #deadLetter} (or with the worker's death, in
 * which case {@link #reclaim} hands it to another worker).
 *
 * <p>Every method may throw {@link QueueUnavailableException} when the broker does not answer.
 */
public interface JobQueue extends AutoCloseable {
    /** How an enqueue ended. */
    sealed interface Enqueued {
        /** Stored (and, when asked, confirmed by {@code replicas} replicas). */
        record Stored(String jobId, int replicas) implements Enqueued {
        }

        /** The idempotency key was seen before: this is the job it created. */
        record Duplicate(String jobId) implements Enqueued {
        }

        /** The route's queue holds {@code depth} jobs, at or above its maximum: nothing stored. */
        record Full(long depth) implements Enqueued {
        }
    }

    /** One hand-over of a job to this worker. */
    record Delivery(String routeId, String entryId, String jobId) {
    }

    /** Queue figures of one route for metrics and back-pressure. */
    record Depth(long length, long delayed, long dead, Optional<Duration> oldestAge) {
    }

    /**
     * Stores a job and queues it, in one atomic step with the idempotency check.
     *
     * @param idempotencyScope a stable name for (consumer, route, Idempotency-Key) when the client sent one
     * @param maxLength        refuse when queued + waiting-for-retry jobs are at least this many
     * @param replicas         wait for this many replicas to confirm the write (0: do not wait)
     */
    Enqueued enqueue(String routeId, String jobId, Map<String, String> fields, Optional<String> idempotencyScope,
                     long maxLength, int replicas, Duration replicaTimeout);

    /** Waits up to {@code block} for at most {@code max} new jobs of the route. */
    List<Delivery> take(String routeId, String worker, int max, Duration block);

    /** Takes over at most {@code max} deliveries that no worker touched for {@code minIdle} (their worker died). */
    List<Delivery> reclaim(String routeId, String worker, Duration minIdle, int max);

    /** Tells the broker this worker still holds the delivery (resets its idle time, so it is not reclaimed). */
    void heartbeat(Delivery delivery, String worker);

    /**
     * Marks the job running and counts the attempt; the job's fields after that, or empty when the job no longer
     * exists or is already final (the delivery is then acknowledged and dropped).
     */
    Optional<Map<String, String>> start(Delivery delivery, Map<String, String> fields);

    /** Stores the final fields, keeps the job for {@code ttl}, acknowledges the delivery. */
    void finish(Delivery delivery, Map<String, String> fields, Duration ttl);

    /** Stores the fields and queues the job again at {@code dueMillis} (epoch ms); acknowledges the delivery. */
    void retryLater(Delivery delivery, Map<String, String> fields, long dueMillis);

    /** Stores the fields, moves the job to the route's dead-letter list, acknowledges the delivery. */
    void deadLetter(Delivery delivery, Map<String, String> fields);

    /** Moves jobs whose retry time has come back into the queue; how many. */
    int promoteDue(String routeId, long nowMillis, int max);

    /** A job's fields. */
    Optional<Map<String, String>> find(String routeId, String jobId);

    /** Jobs in the route's dead-letter list, oldest first. */
    List<String> dead(String routeId, int max);

    /** Queues a dead job again with its attempts reset; false when it is not dead (or gone). */
    boolean replay(String routeId, String jobId);

    /** Deletes every dead job of the route; how many. */
    long purge(String routeId);

    Depth depth(String routeId);

    @Override
    void close();
}
