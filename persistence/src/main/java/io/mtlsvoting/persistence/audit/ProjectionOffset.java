package io.mtlsvoting.persistence.audit;

import java.util.List;
import java.util.Objects;

/**
 * Stored progress of a projection over the journal's global ordering: every ordering up to {@code
 * watermark} is done, and so is every ordering up to {@code head} except {@code gaps} (orderings
 * not yet visible when last read, because the transaction that holds them had not committed).
 */
public record ProjectionOffset(String name, long watermark, long head, List<Long> gaps) {
  public ProjectionOffset {
    Objects.requireNonNull(name, "name");
    gaps = List.copyOf(gaps);
    if (watermark < 0 || head < watermark) {
      throw new IllegalArgumentException(
          "need 0 <= watermark <= head, was " + watermark + ", " + head);
    }
    for (long g : gaps) {
      if (g <= watermark || g > head) {
        throw new IllegalArgumentException(
            "gap " + g + " outside (" + watermark + ", " + head + "]");
      }
    }
  }

  /** The offset of a projection that has not read anything yet. */
  public static ProjectionOffset start(String name) {
    return new ProjectionOffset(name, 0L, 0L, List.of());
  }
}
