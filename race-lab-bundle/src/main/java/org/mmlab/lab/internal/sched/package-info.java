/** The controlled scheduler: simulated threads, strategies, traces. Private to the race lab. */
package org.mmlab.lab.internal.sched;
