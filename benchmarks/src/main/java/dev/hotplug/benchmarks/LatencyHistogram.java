package dev.hotplug.benchmarks;

/**
 * Latencies in nanoseconds, counted in log-linear buckets (32 per power of two: within ~3 %), plus the exact maximum.
 * Recording allocates nothing. Not thread-safe: one per thread, merged at the end.
 */
final class LatencyHistogram {

    private static final int SUB = 32;
    private static final int SUB_BITS = 5;
    private final long[] counts = new long[64 * SUB];
    private long total;
    private long max;

    void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[index(value)]++;
        total++;
        if (value > max) {
            max = value;
        }
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The upper bound of the bucket holding the {@code percentile}th value (0–100); 0 when empty. */
    long percentile(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(total * percentile / 100.0));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, upperBound(i));
            }
        }
        return max;
    }

    private static int index(long value) {
        if (value < SUB) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int mantissa = (int) (value >>> (exponent - SUB_BITS)) & (SUB - 1);
        return (exponent - SUB_BITS + 1) * SUB + mantissa;
    }

    private static long upperBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exponent = index / SUB + SUB_BITS - 1;
        long mantissa = index % SUB;
        return ((SUB + mantissa + 1) << (exponent - SUB_BITS)) - 1;
    }
}
