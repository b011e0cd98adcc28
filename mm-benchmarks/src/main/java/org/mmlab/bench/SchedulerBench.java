package org.mmlab.bench;

import java.util.concurrent.TimeUnit;

import org.mmlab.lab.internal.sched.ControlledScheduler;
import org.mmlab.lab.internal.sched.Strategies;
import org.mmlab.lab.internal.sched.Strategy;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The race lab's controlled scheduler: the time of one scheduling decision, with two simulated
 * threads that do nothing but pass injection points. PCT keeps the running thread at almost every
 * decision (a switch only at its depth - 1 change points and when a thread ends); random switches at
 * about half of them, each switch a hand-off of the baton between two platform threads. Method:
 * AverageTime per decision (ns), 2 forks; the switch count per decision is an auxiliary counter.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Benchmark)
public class SchedulerBench {
    /** Points each thread passes per run. */
    static final int POINTS = 20_000;

    @Param({"pct", "random"})
    public String strategy;

    /** Switches per decision, summed over the measurement (an auxiliary result). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Switches {
        public long switches;

        @Setup(Level.Iteration)
        public void clear() {
            switches = 0;
        }
    }

    private long seed;

    private Strategy strategy() {
        seed++;
        return strategy.equals("pct") ? Strategies.pct(seed, 3, 2 * POINTS) : Strategies.random(seed);
    }

    @Benchmark
    @OperationsPerInvocation(2 * POINTS + 2)
    public long decide(Switches counters) throws InterruptedException {
        ControlledScheduler sched = new ControlledScheduler(strategy());
        for (String name : new String[] {"a", "b"}) {
            sched.thread(name, () -> {
                for (int i = 0; i < POINTS; i++) {
                    sched.at("p");
                }
            });
        }
        ControlledScheduler.Result r = sched.run(120_000);
        counters.switches += r.switches();
        return r.decisions();
    }
}
