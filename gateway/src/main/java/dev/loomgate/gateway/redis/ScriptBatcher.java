package dev.loomgate.gateway.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Group commit for one command (a script's EVALSHA, or a plain read): calls that arrive while a round trip is in flight wait and then go out together in one
 * pipeline, so N concurrent requests cost about one round trip instead of N. The caller that finds nobody sending
 * sends (its own call and whatever queued meanwhile), then hands the turn to the first call that queued meanwhile
 * (whose thread sends the next batch), so no thread sends for others for long and nobody waits for a timer. One
 * call alone is sent as a plain call. A call that fails inside the pipeline (e.g. NOSCRIPT on a server that never saw the
 * script) is retried on its own through {@code single}, which knows how to recover.
 */
final class ScriptBatcher {
    private record Call(String key, List<String> args, CompletableFuture<Object> result) {
    }

    private final Queued queued;
    private final Function<Call, Object> single;
    private final ConcurrentLinkedQueue<Call> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();

    /**
     * @param queued adds one call to a pipeline
     * @param single runs one call the plain way (e.g. EVALSHA, EVAL on NOSCRIPT); throws RuntimeException on failure
     */
    ScriptBatcher(Queued queued, SingleCall single) {
        this.queued = queued;
        this.single = c -> single.run(c.key(), c.args());
    }

    /** Batches EVALSHA of one script on one key. */
    static ScriptBatcher evalsha(String sha, SingleCall single) {
        return new ScriptBatcher((pipeline, key, args) -> pipeline.evalsha(sha, List.of(key), args), single);
    }

    @FunctionalInterface
    interface Queued {
        Response<?> add(AbstractPipeline pipeline, String key, List<String> args);
    }

    @FunctionalInterface
    interface SingleCall {
        Object run(String key, List<String> args);
    }

    /** Completes a waiting call to make its thread the next sender (it holds {@link #sending} from then on). */
    private static final Object YOUR_TURN = new Object();

    Object run(UnifiedJedis jedis, String key, List<String> args) {
        Call call = new Call(key, args, new CompletableFuture<>());
        queue.add(call);
        boolean promoted = false;
        if (!sending.compareAndSet(false, true)) {
            Object r = await(call);
            if (r != YOUR_TURN) {
                return r;
            }
            // promoted by the previous sender, which took this call off the queue: it goes first, on a new future
            promoted = true;
            call = new Call(key, args, new CompletableFuture<>());
        }
        try {
            List<Call> batch = new ArrayList<>();
            if (promoted) {
                batch.add(call);
            }
            send(jedis, batch);
            while (!call.result().isDone()) {
                send(jedis, new ArrayList<>()); // own call further back than one batch
            }
        } finally {
            handOff();
        }
        return await(call);
    }

    /** Makes the first waiting call's thread the sender, or releases the flag when nobody waits. */
    private void handOff() {
        while (true) {
            Call next = queue.poll();
            if (next != null) {
                next.result().complete(YOUR_TURN);
                return;
            }
            sending.set(false);
            // a call queued after the poll whose thread found the flag still taken: take it back and hand it on
            if (queue.isEmpty() || !sending.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private static Object await(Call call) {
        try {
            return call.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void send(UnifiedJedis jedis, List<Call> batch) {
        for (Call c; batch.size() < 256 && (c = queue.poll()) != null; ) {
            batch.add(c);
        }
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() == 1) {
            complete(batch.getFirst());
            return;
        }
        List<Response<?>> responses = new ArrayList<>(batch.size());
        try (AbstractPipeline pipeline = jedis.pipelined()) {
            for (Call c : batch) {
                responses.add(queued.add(pipeline, c.key(), c.args()));
            }
            pipeline.sync();
        } catch (RuntimeException e) {
            batch.forEach(c -> c.result().completeExceptionally(e)); // the connection failed: every call did
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Call c = batch.get(i);
            try {
                c.result().complete(responses.get(i).get());
            } catch (RuntimeException e) {
                complete(c); // e.g. NOSCRIPT: once on its own
            }
        }
    }

    private void complete(Call c) {
        try {
            c.result().complete(single.apply(c));
        } catch (RuntimeException e) {
            c.result().completeExceptionally(e);
        }
    }
}
