package io.mtlsvoting.node.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The latency floor set by the database: one commit of one journal-sized row, measured alone and
 * back to back on an otherwise idle database. A node journals its own vote before it sends it and
 * its decision before it reports it (DESIGN: every state change is journaled before anyone is
 * told), so a decision at a node waits for at least {@link #COMMITS_PER_DECISION} such commits
 * whatever else it does. Whether a commit waits for the disk is the server's {@code fsync} and
 * {@code synchronous_commit}, reported beside the figures.
 */
public final class CommitFloor {

  /** The journal writes a node's decision waits for: its own vote, then the decision. */
  public static final int COMMITS_PER_DECISION = 2;

  /** Bytes per row: about one journaled vote (CBOR event with a 64-byte signature). */
  static final int ROW_BYTES = 300;

  /** A table of its own, dropped afterwards: no journal or audit row is touched. */
  static final String TABLE = "bench_commit_floor";

  private CommitFloor() {}

  /**
   * What one measurement found: {@code latency} of a single-row insert and its commit, over {@code
   * commits} commits; {@code fsync} and {@code synchronousCommit} as the server reported them.
   */
  public record Result(
      int commits, LatencyHistogram.Summary latency, String fsync, String synchronousCommit) {

    /** True when every commit waited for the write-ahead log to reach the disk. */
    public boolean durable() {
      return "on".equals(fsync) && !"off".equals(synchronousCommit);
    }
  }

  /**
   * Creates {@link #TABLE}, commits {@code commits} single-row transactions on one connection from
   * {@code dataSource} one after another, drops the table and returns their latencies.
   *
   * @throws SQLException when the database refuses (no connection, no right to create a table)
   */
  public static Result measure(DataSource dataSource, int commits) throws SQLException {
    if (commits < 1) {
      throw new IllegalArgumentException("commits must be >= 1, got " + commits);
    }
    try (Connection c = dataSource.getConnection()) {
      String fsync = show(c, "fsync");
      String synchronousCommit = show(c, "synchronous_commit");
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS " + TABLE);
        s.execute("CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, payload bytea NOT NULL)");
      }
      LatencyHistogram latency = new LatencyHistogram();
      byte[] payload = new byte[ROW_BYTES];
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement insert =
          c.prepareStatement("INSERT INTO " + TABLE + " (payload) VALUES (?)")) {
        for (int i = 0; i < commits; i++) {
          payload[i % ROW_BYTES] = (byte) i;
          long start = System.nanoTime();
          insert.setBytes(1, payload);
          insert.executeUpdate();
          c.commit();
          latency.recordNanos(System.nanoTime() - start);
        }
      } finally {
        c.rollback();
        try (Statement s = c.createStatement()) {
          s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
        c.commit();
        c.setAutoCommit(autoCommit);
      }
      return new Result(commits, latency.summary(), fsync, synchronousCommit);
    }
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW " + setting)) {
      r.next();
      return r.getString(1);
    }
  }
}
