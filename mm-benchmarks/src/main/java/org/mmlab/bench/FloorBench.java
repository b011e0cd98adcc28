package org.mmlab.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two synchronization floors of shared/reference/race-lab-and-performance.md §D.2, re-measured
 * on whatever machine runs {@link AllocFreeBench}, so its ns/op can be compared with floors from
 * the same CPU: an uncontended ReentrantLock lock+unlock and a successful
 * AtomicInteger.compareAndSet, single thread, AverageTime in ns/op (the §D method: 2 forks).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class FloorBench {
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger atomic = new AtomicInteger();
    private int counter;

    /** ReentrantLock lock + unlock, uncontended, with a plain increment inside. */
    @Benchmark
    public int lockUnlock() {
        lock.lock();
        try {
            return ++counter;
        } finally {
            lock.unlock();
        }
    }

    /** AtomicInteger.compareAndSet that succeeds (reads the current value first). */
    @Benchmark
    public boolean casSucceeds() {
        int v = atomic.get();
        return atomic.compareAndSet(v, v + 1);
    }
}
