package io.mtlsvoting.persistence.etcd;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code banned/}: reads the current bans, then watches from the next revision. jetcd
 * resumes a broken watch from the last revision itself; when it gives up (e.g. the revision was
 * compacted) this re-reads the bans, reports what changed, and watches again.
 */
final class BanWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BanWatcher.class);
  private static final long RESYNC_DELAY_MILLIS = 500;

  private final KV kv;
  private final Watch watch;
  private final EtcdCalls calls;
  private final ScheduledExecutorService scheduler;
  private final String dir;
  private final Consumer<BanEvent> listener;

  // Guarded by this.
  private final Set<Integer> known = new HashSet<>();
  private long lastRevision;
  private Watch.Watcher watcher;
  private boolean closed;

  BanWatcher(
      KV kv,
      Watch watch,
      EtcdCalls calls,
      ScheduledExecutorService scheduler,
      String dir,
      Consumer<BanEvent> listener) {
    this.kv = kv;
    this.watch = watch;
    this.calls = calls;
    this.scheduler = scheduler;
    this.dir = dir;
    this.listener = listener;
  }

  void start() {
    calls
        .call(
            "list " + dir,
            () -> kv.get(EtcdKeys.bytes(dir), GetOption.builder().isPrefix(true).build()))
        .whenComplete(
            (snapshot, error) -> {
              if (error != null) {
                LOG.debug("{}: initial read failed, retrying: {}", dir, error.getMessage());
                schedule(this::start);
              } else {
                onSnapshot(snapshot);
              }
            });
  }

  private void onSnapshot(GetResponse snapshot) {
    long revision = snapshot.getHeader().getRevision();
    synchronized (this) {
      if (closed) {
        return;
      }
      Set<Integer> present = new HashSet<>();
      for (KeyValue kv : snapshot.getKvs()) {
        OptionalInt id = EtcdKeys.nodeIdOf(EtcdKeys.text(kv.getKey()), dir);
        if (id.isEmpty()) {
          continue;
        }
        present.add(id.getAsInt());
        if (!known.contains(id.getAsInt()) || kv.getModRevision() > lastRevision) {
          emit(
              new BanEvent.Banned(
                  id.getAsInt(), EtcdKeys.text(kv.getValue()), kv.getModRevision()));
        }
      }
      for (Integer gone : Set.copyOf(known)) {
        if (!present.contains(gone)) {
          emit(new BanEvent.Unbanned(gone, revision));
        }
      }
      known.clear();
      known.addAll(present);
      lastRevision = Math.max(lastRevision, revision);
    }
    // Outside this lock: jetcd calls the listener back while holding its own watch lock.
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
    AtomicReference<Watch.Watcher> self = new AtomicReference<>();
    Watch.Watcher created =
        watch.watch(
            EtcdKeys.bytes(dir),
            option,
            Watch.listener(
                this::onWatchResponse,
                error -> calls.translate("watch " + dir, error),
                () -> onWatchEnded(self.get())));
    self.set(created);
    boolean keep;
    synchronized (this) {
      keep = !closed;
      if (keep) {
        watcher = created;
      }
    }
    if (!keep) {
      created.close();
    }
  }

  private synchronized void onWatchResponse(WatchResponse response) {
    if (closed) {
      return;
    }
    long floor = lastRevision;
    calls.markHealthy();
    for (WatchEvent event : response.getEvents()) {
      KeyValue kv = event.getKeyValue();
      long revision = kv.getModRevision();
      OptionalInt id = EtcdKeys.nodeIdOf(EtcdKeys.text(kv.getKey()), dir);
      // A resumed watch may repeat a revision already delivered.
      if (revision <= floor || id.isEmpty()) {
        continue;
      }
      lastRevision = Math.max(lastRevision, revision);
      switch (event.getEventType()) {
        case PUT -> {
          known.add(id.getAsInt());
          emit(new BanEvent.Banned(id.getAsInt(), EtcdKeys.text(kv.getValue()), revision));
        }
        case DELETE -> {
          known.remove(id.getAsInt());
          emit(new BanEvent.Unbanned(id.getAsInt(), revision));
        }
        default -> LOG.debug("{}: ignoring watch event {}", dir, event.getEventType());
      }
    }
  }

  private void onWatchEnded(Watch.Watcher ended) {
    long from;
    synchronized (this) {
      // A watcher replaced by a later one is stale; null means it ended before it was recorded.
      if (closed || (ended != null && watcher != null && ended != watcher)) {
        return;
      }
      watcher = null;
      from = lastRevision;
    }
    LOG.warn("{}: watch ended by etcd; re-reading bans after revision {}", dir, from);
    schedule(this::start);
  }

  private void emit(BanEvent event) {
    try {
      listener.accept(event);
    } catch (RuntimeException e) {
      LOG.error("{}: ban listener failed on {}", dir, event, e);
    }
  }

  private void schedule(Runnable task) {
    try {
      scheduler.schedule(task, RESYNC_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("{}: not rescheduling, coordinator closed", dir);
    }
  }

  @Override
  public void close() {
    Watch.Watcher w;
    synchronized (this) {
      closed = true;
      w = watcher;
      watcher = null;
    }
    if (w != null) {
      w.close();
    }
  }
}
