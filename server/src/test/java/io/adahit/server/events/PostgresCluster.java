package io.adahit.server.events;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throwaway PostgreSQL cluster for tests, from Debian's package ({@code
 * /usr/lib/postgresql/N/bin}): {@code initdb} in a temporary folder, {@code pg_ctl start} on a free
 * loopback port (Unix socket in the same folder), trust authentication; stopped ({@code -m
 * immediate}) and deleted when the test run ends. As root it runs the server as the {@code
 * postgres} user ({@code runuser}), since PostgreSQL refuses root. Started once per test run (kept
 * in JUnit's root store). Tests calling {@link #get} are skipped, with a message saying what to
 * install, when the binaries are absent.
 *
 * <pre>{@code
 * String url = PostgresCluster.get(context).newDatabase();   // jdbc:postgresql://127.0.0.1:PORT/t1?user=adahit
 * }</pre>
 */
final class PostgresCluster implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path bin;
  private final Path root;
  private final Path data;
  private final int port;
  private final boolean asRoot;

  private PostgresCluster(Path bin, Path root, int port, boolean asRoot) {
    this.bin = bin;
    this.root = root;
    this.data = root.resolve("data");
    this.port = port;
    this.asRoot = asRoot;
  }

  /**
   * The run's cluster, started on first use; aborts (skips) the test when PostgreSQL is not
   * installed.
   */
  static PostgresCluster get(ExtensionContext context) {
    Path bin = findBin();
    Assumptions.assumeTrue(
        bin != null,
        "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin: the"
            + " PostgreSQL half of the event-store tests is skipped (apt-get install -y postgresql to run it)");
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(PostgresCluster.class, k -> start(bin), PostgresCluster.class);
  }

  private static Path findBin() {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(base)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(base)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(
              b ->
                  Files.isExecutable(b.resolve("initdb"))
                      && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.naturalOrder())
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static PostgresCluster start(Path bin) {
    try {
      boolean asRoot = "root".equals(System.getProperty("user.name"));
      Path root = Files.createTempDirectory("adahit-pg-");
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      PostgresCluster pg = new PostgresCluster(bin, root, port, asRoot);
      pg.exec(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              pg.data.toString(),
              "-U",
              "adahit",
              "-A",
              "trust",
              "-E",
              "UTF8",
              "--no-sync"),
          120);
      pg.exec(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              pg.data.toString(),
              "-l",
              root.resolve("log").toString(),
              "-w",
              "-t",
              "60",
              "-o",
              "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=on",
              "start"),
          90);
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start a test PostgreSQL cluster: " + e.getMessage(), e);
    }
  }

  private void exec(List<String> command, int timeoutSeconds) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asRoot) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(root.toFile()).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + new String(out) + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + cmd, e);
    }
  }

  private String logTail() {
    try {
      Path log = root.resolve("log");
      return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** A fresh, empty database in the cluster; its JDBC URL (user in the URL, trust auth). */
  String newDatabase() throws SQLException {
    String name = "t" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url("postgres"));
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=adahit";
  }

  @Override
  public void close() throws IOException {
    try {
      exec(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          60);
    } finally {
      try (Stream<Path> all = Files.walk(root)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
