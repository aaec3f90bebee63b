package dev.hotplug.framework;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * One daemon thread running framework tasks in submission order (and delayed ones when due), which rests in the
 * {@link CallDrain} between tasks: a reload whose callers' id residues it shares then clears it with one set lookup,
 * where it would read its stack. Tasks may run listeners that call services; the thread leaves before each. What a task
 * throws is logged: the executor keeps it in a future nobody may read.
 */
final class FrameworkExecutor extends ScheduledThreadPoolExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(FrameworkExecutor.class);

    private final CallDrain drain;

    FrameworkExecutor(String threadName, CallDrain drain) {
        super(1, work -> {
            Thread thread = new Thread(() -> {
                try {
                    work.run();
                } finally {
                    drain.leave(Thread.currentThread());
                }
            }, threadName);
            thread.setDaemon(true);
            return thread;
        });
        this.drain = drain;
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        drain.leave(thread);
        super.beforeExecute(thread, task);
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
        super.afterExecute(task, failure);
        Thread thread = Thread.currentThread();
        if (task instanceof Future<?> future && future.isDone()) {
            try {
                future.get();
            } catch (ExecutionException e) {
                LOG.error("Task on {} failed: {}", thread.getName(), LifecycleInvoker.describe(e.getCause()),
                        e.getCause());
            } catch (CancellationException e) {
                // Cancelled by whoever submitted it, which is told so.
            } catch (InterruptedException e) {
                thread.interrupt();
            }
        }
        drain.rest(thread);
    }
}
