package dev.loomgate.chaos.scenario;

/**
 * How one run of {@code loomgate routes push} ended: its exit code and output (the codes of LoomgateCli: 0 written,
 * 3 CAS conflict, 4 Consul error).
 */
public record RoutesPush(int exitCode, String output) {
    static final int OK = 0;
    static final int CONFLICT = 3;
    static final int CONSUL_ERROR = 4;

    /** What a push ended with, as scenario 9 counts it. */
    public enum Outcome {
        /** written and committed. */
        ACCEPTED,
        /** refused by the compare-and-set on the version key: someone else's push came first. */
        CAS_CONFLICT,
        /** Consul did not answer (down, restarting): the push may be tried again. */
        CONSUL_UNREACHABLE,
        /** anything else: invalid document, a timeout, an unexplained exit. Never acceptable. */
        OTHER
    }

    public Outcome outcome() {
        return switch (exitCode) {
            case OK -> Outcome.ACCEPTED;
            case CONFLICT -> Outcome.CAS_CONFLICT;
            case CONSUL_ERROR -> Outcome.CONSUL_UNREACHABLE;
            default -> Outcome.OTHER;
        };
    }

    /**
     * A conflict because a push of {@code version} was left unfinished (the version key still PENDING with it):
     * our own earlier attempt, cut off when Consul went down in the middle of it; taking it over is safe.
     */
    public boolean ownPushLeftUnfinished(String version) {
        return exitCode == CONFLICT && output.contains("another push (version '" + version + "')");
    }

    /** The exit code and the last line of the output (the CLI's verdict), for the report. */
    public String reason() {
        String s = output.strip();
        return "exit " + exitCode + (s.isEmpty() ? "" : ": " + s.substring(s.lastIndexOf('\n') + 1));
    }
}
