package dev.hotplug.framework;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Waits, for a reload, until no call is in flight in the service slots it closed. The suspects are the threads the
 * slots' caller marks name. A suspect that comes back and waits in a closed slot, with no other proxy on its stack,
 * holds no implementation: busy callers prove themselves out that way within a scheduling round, with no safepoint.
 * Suspects that do not come back are looked for in a stack scan. One drain at a time; arrivals are thread-safe.
 */
final class CallDrain {

    /**
     * How long a drain waits for suspects running Java code to come back before it scans stacks. A scan's safepoint
     * would wait for each of them to get a CPU too, and a caller in a loop comes back within that turn; one that
     * called once and went on with other work never does, and costs this wait.
     */
    private static final long ARRIVAL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Between scans while a call stays in flight and its thread does not run. */
    private static final long RESCAN_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** Whether {@link Thread#getStackTrace()} of another thread is a handshake with it rather than a safepoint. */
    private static final boolean HANDSHAKE_STACKS = Runtime.version().feature() >= 21;
    private static final StackWalker STACK = StackWalker.getInstance();
    /**
     * Whether a thread's CPU time grows by its every run. Linux counts it per nanosecond from the scheduler; some other
     * systems charge it by clock tick, where a short run can go uncounted.
     */
    private static final boolean EXACT_CPU_TIME = System.getProperty("os.name", "").startsWith("Linux")
            && THREADS.isThreadCpuTimeSupported();

    /** Ids of threads waiting in a closed slot with no other proxy on their stack, or resting framework threads. */
    private final Set<Long> waiting = ConcurrentHashMap.newKeySet();
    /**
     * CPU time of the platform threads a stack scan found outside every call, read before that scan. A thread whose
     * CPU time has not moved since has run no code, so it is outside every call still: the idle threads whose ids
     * share a caller's residue (the JDK's own, some blocked in the VM yet counted runnable) cost one scan, not one per
     * drain.
     */
    private final Map<Long, Long> idleAt = new ConcurrentHashMap<>();
    /** The reloading thread while it drains, woken by each arrival. */
    private volatile Thread draining;

    /**
     * Called by {@code thread} on its way to wait in a closed slot, before or under the slot's lock: enters it as
     * holding no implementation unless another proxy is on its stack (a call in flight that called a closed slot).
     * Returns whether it was entered; the caller must then {@link #leave}, under the slot's lock, before it returns an
     * implementation.
     */
    boolean arrive(Thread thread) {
        long proxies = STACK.walk(frames -> frames.filter(f -> f.getClassName().endsWith(ServiceProxies.SUFFIX))
                .limit(2).count());
        if (proxies != 1) {
            return false;
        }
        rest(thread);
        return true;
    }

    /**
     * Called by a framework thread about to wait for work, with nothing on its stack that may call a service (a
     * lifecycle worker, the event and housekeeping threads): it holds no implementation until it {@link #leave}s,
     * which it must before it runs a task, and when it ends.
     */
    void rest(Thread thread) {
        waiting.add(thread.getId());
        Thread reload = draining;
        if (reload != null) {
            LockSupport.unpark(reload);
        }
    }

    /** Called by {@code thread} as it stops waiting: under the slot's lock, or before a framework thread's task. */
    void leave(Thread thread) {
        waiting.remove(thread.getId());
    }

    /**
     * Blocks until no thread but the caller is inside a proxy of {@code typeNames} on its way to the implementation
     * the closed {@code slots} held, or until {@code deadlineNanos} ({@link System#nanoTime()}); returns whether the
     * calls drained. Call with the slots closed, one drain at a time.
     */
    boolean drain(List<ServiceSlot> slots, Set<String> typeNames, long deadlineNanos) {
        Thread self = Thread.currentThread();
        List<Thread> pending = suspects(slots, self);
        pending.removeIf(this::stillIdle);
        if (pending.isEmpty()) {
            return true;
        }
        draining = self;
        try {
            boolean scanned = false;
            long patientUntil = System.nanoTime() + ARRIVAL_WAIT_NANOS;
            long scanAt = patientUntil - ARRIVAL_WAIT_NANOS;
            while (true) {
                pending.removeIf(t -> waiting.contains(t.getId()) || !t.isAlive());
                if (pending.isEmpty()) {
                    return true;
                }
                long now = System.nanoTime();
                boolean late = now - deadlineNanos >= 0;
                if (late && scanned) {
                    return false;
                }
                // The suspects a wait will not bring back; all of them once the wait is spent.
                List<Thread> look = late || now - patientUntil >= 0 ? pending : notRunningJava(pending);
                if (!look.isEmpty() && (late || now - scanAt >= 0)) {
                    pending.removeAll(notInFlight(look, pending, typeNames));
                    scanned = true;
                    scanAt = System.nanoTime() + RESCAN_PAUSE_NANOS;
                    continue;
                }
                LockSupport.parkNanos(this, Math.min(look.isEmpty() ? patientUntil - now : scanAt - now,
                        deadlineNanos - now));
            }
        } finally {
            draining = null;
        }
    }

    /**
     * The threads that may have called {@code slots} since their last drain, {@code self} aside: live platform threads
     * the marks name (a superset of those that did) and the virtual threads that entered their names.
     */
    private List<Thread> suspects(List<ServiceSlot> slots, Thread self) {
        List<ServiceSlot> called = new ArrayList<>();
        for (ServiceSlot slot : slots) {
            if (slot.calledByOthers(self)) {
                called.add(slot);
            }
        }
        List<Thread> suspects = new ArrayList<>();
        if (called.isEmpty()) {
            return suspects;
        }
        List<Thread> platform = platformThreads();
        if (idleAt.size() > platform.size()) {
            Set<Long> live = new HashSet<>();
            platform.forEach(thread -> live.add(thread.getId()));
            idleAt.keySet().retainAll(live);
        }
        for (Thread thread : platform) {
            if (thread != self && called.stream().anyMatch(slot -> slot.mayHaveCalled(thread.getId()))) {
                suspects.add(thread);
            }
        }
        for (ServiceSlot slot : called) {
            for (Thread thread : slot.virtualCallers()) {
                if (thread != self && !suspects.contains(thread)) {
                    suspects.add(thread);
                }
            }
        }
        return suspects;
    }

    /** Every live platform thread, without a safepoint. */
    private static List<Thread> platformThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 8];
        int count;
        while ((count = root.enumerate(threads, true)) == threads.length) {
            threads = new Thread[threads.length * 2];
        }
        return Arrays.asList(threads).subList(0, count);
    }

    /**
     * Those of {@code threads} that are neither running Java code (on a CPU or waiting for one) nor arrived: blocked,
     * waiting or in native code elsewhere, or virtual, where a look at the stack finds them at once. Reads thread
     * states without a safepoint.
     */
    private List<Thread> notRunningJava(List<Thread> threads) {
        List<Thread> platform = new ArrayList<>(threads.size());
        List<Thread> idle = new ArrayList<>();
        for (Thread thread : threads) {
            (ServiceSlot.isVirtual(thread) ? idle : platform).add(thread);
        }
        long[] ids = platform.stream().mapToLong(Thread::getId).toArray();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            ThreadInfo info = infos[i];
            boolean running = info != null && info.getThreadState() == Thread.State.RUNNABLE && !info.isInNative();
            // Read after the state: a thread that arrives enters before it waits, so a wait seen is an arrival seen.
            if (!running && !waiting.contains(ids[i])) {
                idle.add(platform.get(i));
            }
        }
        return idle;
    }

    /**
     * Those of {@code look} (or of all {@code pending}, when one dump shows them anyway) whose stack shows no proxy of
     * one of {@code typeNames} past its slot; the others read the old implementation and are calling it, and a thread
     * whose frame above the proxy is the slot's own is waiting, not in flight. Stacks are read after the close, and a
     * thread not in flight then cannot reach the old implementation later. On JDK 17 every stack read is a safepoint,
     * so while more than one platform thread is pending all are read in one all-thread dump, which clears the running
     * ones too; later JDKs read one thread's stack with a handshake with that thread alone. All-thread dumps leave out
     * virtual threads, which are each asked.
     */
    private List<Thread> notInFlight(List<Thread> look, List<Thread> pending, Set<String> typeNames) {
        long platform = pending.stream().filter(t -> !ServiceSlot.isVirtual(t)).count();
        boolean dump = !HANDSHAKE_STACKS && platform > 1;
        List<Thread> scanned = dump ? pending : look;
        long[] cpuBefore = new long[scanned.size()];
        for (int i = 0; i < cpuBefore.length; i++) {
            cpuBefore[i] = cpuTime(scanned.get(i));
        }
        Map<Thread, StackTraceElement[]> stacks = dump ? Thread.getAllStackTraces() : Map.of();
        List<Thread> cleared = new ArrayList<>();
        for (int i = 0; i < cpuBefore.length; i++) {
            Thread thread = scanned.get(i);
            StackTraceElement[] frames = dump && !ServiceSlot.isVirtual(thread)
                    ? stacks.get(thread) : thread.getStackTrace();
            if (frames == null || !inFlight(frames, typeNames::contains)) {
                cleared.add(thread);
            }
            if (frames != null && cpuBefore[i] >= 0 && !inFlight(frames, typeName -> true)) {
                idleAt.put(thread.getId(), cpuBefore[i]);
            } else {
                idleAt.remove(thread.getId());
            }
        }
        return cleared;
    }

    /** Whether {@code thread} has run no code since a stack scan found it outside every call. */
    private boolean stillIdle(Thread thread) {
        Long idle = idleAt.get(thread.getId());
        return idle != null && idle == cpuTime(thread);
    }

    /** The CPU time {@code thread} has used, in ns; -1 when it is virtual, dead, or not counted exactly here. */
    private static long cpuTime(Thread thread) {
        return EXACT_CPU_TIME && !ServiceSlot.isVirtual(thread) ? THREADS.getThreadCpuTime(thread.getId()) : -1;
    }

    private static boolean inFlight(StackTraceElement[] frames, Predicate<String> typeNames) {
        for (int i = 0; i < frames.length; i++) {
            String className = frames[i].getClassName();
            if (!className.endsWith(ServiceProxies.SUFFIX)) {
                continue;
            }
            String typeName = className.substring(0, className.length() - ServiceProxies.SUFFIX.length());
            if (typeNames.test(typeName) && !waiting(frames, i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the proxy frame at {@code proxy} is parked inside {@link ServiceSlot}'s timed wait, with only slot frames
     * between: such a thread reads the slot again under its lock once woken, so it cannot reach the old
     * implementation. Anywhere else in the slot it may already hold the old implementation — in
     * {@link ServiceSlot#get()} after its volatile read (the interpreter stops at any bytecode), or returning from the
     * wait after reading it under the lock — so it counts as in flight until it returns or parks again.
     */
    private static boolean waiting(StackTraceElement[] frames, int proxy) {
        String slot = ServiceSlot.class.getName();
        int below = proxy - 1;
        while (below >= 0 && frames[below].getClassName().equals(slot)) {
            below--;
        }
        return below >= 0 && below + 1 < proxy && frames[below + 1].getMethodName().equals("awaitOpen")
                && frames[below].getClassName().equals(TimeUnit.class.getName())
                && frames[below].getMethodName().equals("timedWait");
    }
}
