package io.mtlsvoting.node.tally;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What every {@link VoteTally} of a node shares: membership, settings, the ban view, the listener
 * told of journaled events, counters and the clock (epoch millis; a manual clock in tests).
 */
public record TallyDeps(
    Membership membership,
    TallySettings settings,
    BanView bans,
    TallyListener listener,
    TallyMetrics metrics,
    LongSupplier clock) {
  public TallyDeps {
    Objects.requireNonNull(membership, "membership");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(bans, "bans");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(clock, "clock");
  }

  /** Production wiring with the system clock. */
  public static TallyDeps of(
      Membership membership, TallySettings settings, BanView bans, TallyListener listener) {
    return new TallyDeps(
        membership, settings, bans, listener, new TallyMetrics(), System::currentTimeMillis);
  }

  public TallyRules rules() {
    return new TallyRules(membership, settings.voteTimeout().toMillis());
  }
}
