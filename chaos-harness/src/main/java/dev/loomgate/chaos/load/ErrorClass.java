package dev.loomgate.chaos.load;

/** Why a request got no HTTP status. {@link #NONE} means a status was received. */
public enum ErrorClass {
    NONE("none"),
    CONNECT_REFUSED("connect-refused"),
    CONNECT_TIMEOUT("connect-timeout"),
    /** Connection reset or closed by the peer before a complete response. */
    RESET("reset"),
    READ_TIMEOUT("read-timeout"),
    /** Never sent: the in-flight cap was reached at its scheduled time (an open model drops, it does not queue). */
    DROPPED_IN_FLIGHT_CAP("dropped: in-flight cap"),
    OTHER("other");

    private final String label;

    ErrorClass(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ErrorClass fromLabel(String label) {
        for (ErrorClass e : values()) {
            if (e.label.equals(label) || e.name().equals(label)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown error class '" + label + "'");
    }
}
