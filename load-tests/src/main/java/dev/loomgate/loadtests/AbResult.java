package dev.loomgate.loadtests;

/**
 * What one ApacheBench run reported.
 *
 * @param complete        "Complete requests"
 * @param failed          "Failed requests" (connect, receive, length, exceptions)
 * @param non2xx          "Non-2xx responses" (0 when ab printed none)
 * @param keepAlive       "Keep-Alive requests" (0 without -k)
 * @param requestsPerSec  "Requests per second" (mean)
 * @param p50Millis       50 % served within (ms; ab's resolution is 1 ms)
 * @param p99Millis       99 % served within (ms)
 */
public record AbResult(long complete, long failed, long non2xx, long keepAlive, double requestsPerSec,
                       long p50Millis, long p99Millis) {

    public long failures() {
        return failed + non2xx;
    }
}
