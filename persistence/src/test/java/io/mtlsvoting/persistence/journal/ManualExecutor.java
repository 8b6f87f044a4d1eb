package io.mtlsvoting.persistence.journal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Runs submitted tasks only when the test says so, so the test decides the order, not timing. */
final class ManualExecutor implements Executor {
  final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  void runNext() {
    tasks.remove().run();
  }

  void runAll() {
    while (!tasks.isEmpty()) {
      runNext();
    }
  }
}
