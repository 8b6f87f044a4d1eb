package io.mtlsvoting.node.audit;

import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain queries of the audit tables for assertions and printed reports. */
final class AuditQueries {

  private AuditQueries() {}

  static List<Map<String, Object>> query(PostgresExtension postgres, String sql) {
    try (Connection c = postgres.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.put(md.getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("Test SQL failed: " + sql, e);
    }
  }

  static long count(PostgresExtension postgres, String sql) {
    return ((Number) query(postgres, sql).get(0).values().iterator().next()).longValue();
  }

  static String text(PostgresExtension postgres, String sql) {
    Object v = query(postgres, sql).get(0).values().iterator().next();
    return v == null ? null : v.toString();
  }
}
