package dev.loomgate.gateway.saga;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.redis.saga.SagaLogStore;
import dev.loomgate.gateway.saga.ParticipantClient.Failed;
import dev.loomgate.gateway.saga.ParticipantClient.Halted;
import dev.loomgate.gateway.saga.ParticipantClient.Ok;
import dev.loomgate.gateway.saga.ParticipantClient.Result;
import dev.loomgate.gateway.saga.SagaDefinition.Kind;
import dev.loomgate.gateway.saga.SagaDefinition.Step;
import dev.loomgate.gateway.saga.SagaRecord.State;
import dev.loomgate.gateway.saga.SagaRecord.StepStatus;

/**
 * Drives one saga from wherever its log says it is to a final state (or {@code stuck}), on the thread that calls
 * {@link #run()}. Every status change is written to the log, fenced, before the call it announces: a node that dies
 * at any point leaves a log from which another node resumes. A step found {@code STARTED} on resume may or may not
 * have taken effect: a pivot or retriable step is sent again (same Idempotency-Key, so at most once in effect), a
 * compensatable one is compensated (its compensation is safe without a prior effect).
 */
final class SagaRunner {
    private static final Logger LOG = Logger.getLogger(SagaRunner.class.getName());

    /** The node stopped (or lost the saga): stop without writing anything more. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    private final SagaDefinition def;
    private final SagaRecord r;
    private final long token;
    private final String node;
    private final SagaLog log;
    private final ParticipantClient client;
    private final SagaMetrics metrics;
    private final BooleanSupplier halted;
    private volatile boolean lost;

    SagaRunner(SagaDefinition def, SagaRecord record, long token, String node, SagaLog log, ParticipantClient client,
               SagaMetrics metrics, BooleanSupplier halted) {
        this.def = def;
        this.r = record;
        this.token = token;
        this.node = node;
        this.log = log;
        this.client = client;
        this.metrics = metrics;
        this.halted = halted;
    }

    /** Runs to a final or stuck state; returns quietly when the node halts or another node took the saga over. */
    void run() {
        Thread heartbeat = Thread.ofVirtual().name("saga-lease-" + r.id).start(this::heartbeat);
        try {
            if (r.mode == SagaDefinition.Mode.SAGA) {
                saga();
            } else {
                tcc();
            }
        } catch (Stop e) {
            // halted or fenced: the log holds the last state that was written; another node resumes from it
        } catch (SagaLogStore.FencedException e) {
            metrics.fenced.increment();
            LOG.fine(e::getMessage);
        } catch (RuntimeException e) {
            // Redis unreachable, say: the lease runs out and a node (maybe this one) resumes later
            LOG.log(Level.WARNING, "saga " + r.id + " paused: " + e.getMessage(), e);
        } finally {
            lost = true;
            heartbeat.interrupt();
        }
    }

    private void heartbeat() {
        long every = Math.max(50, def.lease().toMillis() / 3);
        while (!lost && !halted.getAsBoolean()) {
            try {
                Thread.sleep(every);
                if (!lost && !halted.getAsBoolean()) {
                    log.renew(r.id, token, node, def.lease());
                }
            } catch (InterruptedException e) {
                return;
            } catch (SagaLogStore.FencedException e) {
                lost = true;
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "lease renewal of saga " + r.id + " failed", e);
            }
        }
    }

    private void write() {
        if (halted.getAsBoolean() || lost) {
            throw new Stop();
        }
        log.write(r, token, node, def.lease());
    }

    private void saga() {
        if (r.state == State.RUNNING) {
            runForward();
            if (r.state == State.RUNNING) {
                finish(State.COMPLETED);
                return;
            }
        }
        if (r.state == State.COMPENSATING) {
            compensate();
        }
    }

    /**
     * Runs the steps (or groups) not yet done, in order; stops when the saga turns backward or gets stuck. A
     * compensatable step (every TCC step) found STARTED was cut off by a dead node: the saga turns backward.
     */
    private void runForward() {
        for (List<Step> group : def.groups()) {
            if (group.stream().allMatch(s -> r.steps.get(s.name()) == StepStatus.DONE)) {
                continue;
            }
            java.util.Optional<Step> cut = group.stream().filter(s -> r.steps.get(s.name()) == StepStatus.STARTED
                    && s.kind() == Kind.COMPENSATABLE).findFirst();
            if (cut.isPresent()) {
                backward(cut.get(), 0, "resumed after the orchestrating node stopped mid-step");
                return;
            }
            if (!(group.size() == 1 ? forward(group.getFirst()) : forwardAll(group))) {
                return;
            }
        }
    }

    /** A declared parallel group: one log write, the calls at once, one log write with every answer. */
    private boolean forwardAll(List<Step> group) {
        List<Step> todo = group.stream().filter(s -> r.steps.get(s.name()) != StepStatus.DONE).toList();
        todo.forEach(s -> r.steps.put(s.name(), StepStatus.STARTED));
        write();
        jakarta.json.JsonObject context = r.context();
        Result[] results = new Result[todo.size()];
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            int at = i;
            Step step = todo.get(i);
            threads.add(Thread.ofVirtual().start(() -> {
                metrics.calls.increment();
                results[at] = client.call(step.action(), context, r.id + ":" + step.name() + ":"
                        + (r.mode == SagaDefinition.Mode.TCC ? "try" : "action"), () -> halted.getAsBoolean() || lost);
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stop();
            }
        }
        Step failed = null;
        Failed failure = null;
        for (int i = 0; i < todo.size(); i++) {
            Step step = todo.get(i);
            switch (results[i]) {
                case Halted h -> throw new Stop();
                case Ok ok -> {
                    r.outputs.put(step.name(), SagaRecord.output(ok.status(), ok.body()));
                    r.steps.put(step.name(), StepStatus.DONE);
                }
                case Failed f -> {
                    metrics.callFailures.increment();
                    r.steps.put(step.name(), StepStatus.FAILED);
                    if (failed == null) {
                        failed = step;
                        failure = f;
                    }
                }
            }
        }
        if (failed == null) {
            write();
            return true;
        }
        backward(failed, failure.status(), failure.reason());
        return false;
    }

    /** Sends a step's action; false when the saga turned backward or got stuck. */
    private boolean forward(Step step) {
        r.steps.put(step.name(), StepStatus.STARTED);
        write();
        Result res = call(step.action(), step, r.mode == SagaDefinition.Mode.TCC ? "try" : "action");
        if (res instanceof Ok ok) {
            r.outputs.put(step.name(), SagaRecord.output(ok.status(), ok.body()));
            r.steps.put(step.name(), StepStatus.DONE);
            write();
            return true;
        }
        Failed f = (Failed) res;
        if (step.kind() == Kind.RETRIABLE) {
            park(State.RUNNING, step.name(), "retriable step '" + step.name() + "' failed: " + f.reason());
            return false;
        }
        r.steps.put(step.name(), StepStatus.FAILED);
        backward(step, f.status(), f.reason());
        return false;
    }

    private void backward(Step failed, int status, String reason) {
        r.failedStep = java.util.Optional.of(failed.name());
        r.failedStatus = status;
        r.reason = reason;
        r.state = State.COMPENSATING;
        write();
    }

    /** Undoes every step that may have taken effect, newest first. */
    private void compensate() {
        List<Step> steps = def.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            StepStatus st = r.steps.get(step.name());
            if (step.compensation().isEmpty() || st == StepStatus.PENDING || st == StepStatus.COMPENSATED) {
                continue;
            }
            r.steps.put(step.name(), StepStatus.COMPENSATING);
            r.undoAttempts.merge(step.name(), 1, Integer::sum);
            write();
            Result res = call(step.compensation().get(), step, r.mode == SagaDefinition.Mode.TCC ? "cancel" : "compensation");
            if (res instanceof Failed f) {
                park(State.COMPENSATING, step.name(), "compensation of '" + step.name() + "' failed: " + f.reason());
                return;
            }
            r.steps.put(step.name(), StepStatus.COMPENSATED);
            write();
        }
        finish(State.COMPENSATED);
    }

    private void tcc() {
        if (r.state == State.RUNNING) {
            runForward();
            if (r.state == State.RUNNING) {
                r.state = State.CONFIRMING;
                write();
            }
        }
        if (r.state == State.CONFIRMING) {
            for (Step step : def.steps()) {
                if (r.steps.get(step.name()) == StepStatus.CONFIRMED) {
                    continue;
                }
                r.undoAttempts.merge(step.name(), 1, Integer::sum);
                write();
                Result res = call(step.confirm().orElseThrow(), step, "confirm");
                if (res instanceof Failed f) {
                    park(State.CONFIRMING, step.name(), "confirm of '" + step.name() + "' failed: " + f.reason());
                    return;
                }
                r.steps.put(step.name(), StepStatus.CONFIRMED);
                write();
            }
            finish(State.COMPLETED);
            return;
        }
        if (r.state == State.COMPENSATING) {
            compensate();
        }
    }

    private Result call(SagaDefinition.Call call, Step step, String action) {
        metrics.calls.increment();
        Result res = client.call(call, r.context(), r.id + ":" + step.name() + ":" + action, () -> halted.getAsBoolean() || lost);
        if (res instanceof Halted) {
            throw new Stop();
        }
        if (res instanceof Failed) {
            metrics.callFailures.increment();
        }
        return res;
    }

    /** Parks the saga: nothing retries it until an operator does (admin API / CLI), and the stuck gauge shows it. */
    private void park(State from, String step, String reason) {
        r.parkedFrom = from;
        r.state = State.STUCK;
        r.reason = reason;
        if (r.failedStep.isEmpty()) {
            r.failedStep = java.util.Optional.of(step);
        }
        write();
        metrics.stuck.increment();
        LOG.warning(() -> "saga " + r.id + " (route " + r.route + ") is stuck: " + reason);
    }

    private void finish(State state) {
        r.state = state;
        write();
        (state == State.COMPLETED ? metrics.completed : metrics.compensated).increment();
    }
}
