package io.mtlsvoting.node.runtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Named health checks of a node's dependencies (PostgreSQL, etcd), each a cheap supplier of a
 * one-line state such as {@code "ok"} or {@code "degraded: connection refused"}.
 */
public final class HealthChecks {
  private final Map<String, Supplier<String>> checks = new ConcurrentHashMap<>();

  public void register(String name, Supplier<String> check) {
    checks.put(name, check);
  }

  /** The current state of every check, by name; a check that throws reports its exception. */
  public Map<String, String> snapshot() {
    Map<String, String> out = new TreeMap<>();
    checks.forEach(
        (name, check) -> {
          try {
            out.put(name, check.get());
          } catch (RuntimeException e) {
            out.put(name, "error: " + e.getMessage());
          }
        });
    return out;
  }
}
