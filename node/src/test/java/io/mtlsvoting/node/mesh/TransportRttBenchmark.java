package io.mtlsvoting.node.mesh;

import com.typesafe.config.ConfigFactory;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Prints the loopback round trip of one 8-byte message through each layer the mesh is built on: JDK
 * blocking sockets, Pekko's TCP stream, Pekko's TCP stream with mutual TLS 1.3 (the mesh adds
 * framing, its link and the peer actor on top; {@link MeshBenchmark} prints that ping). Each is
 * timed back to back, then with 2 ms and 50 ms pauses between round trips, since a thread woken on
 * an idle core costs more than one that is still running. Not part of the default test run: {@code
 * mvn -pl node -am test -Dtest=TransportRttBenchmark -Dsurefire.failIfNoSpecifiedTests=false}; add
 * {@code -Dbench.pekko-config="pekko.actor...=..."} to try other dispatcher settings.
 */
class TransportRttBenchmark {
  private static final int WARMUP = 5_000;
  private static final int MESSAGE_BYTES = 8;

  /** The round trip in progress: done when {@code bytes} have come back in all. */
  private record Awaited(long bytes, CompletableFuture<Long> arrived) {}

  /** One timed round trip, in nanoseconds. */
  private interface RoundTrip {
    long nanos() throws Exception;
  }

  @Test
  void figures() throws Exception {
    jdkSockets();
    Path certs = TestCerts.generate(2);
    SSLContext server =
        RawPeer.context(
            certs.resolve("ca.crt"), certs.resolve("node1.crt"), certs.resolve("node1.key"));
    SSLContext client =
        RawPeer.context(
            certs.resolve("ca.crt"), certs.resolve("node2.crt"), certs.resolve("node2.key"));
    String extra = System.getProperty("bench.pekko-config", "");
    if (!extra.isBlank()) {
      System.out.println("BENCH Pekko settings: " + extra);
    }
    ActorSystem dialling = system("transport-rtt-client", extra);
    ActorSystem accepting = system("transport-rtt-server", extra);
    try {
      // Both ends in one actor system, then each in its own (as two nodes are).
      pekko(dialling, dialling, null, null);
      pekko(dialling, dialling, server, client);
      pekko(dialling, accepting, null, null);
      pekko(dialling, accepting, server, client);
    } finally {
      dialling.terminate();
      accepting.terminate();
    }
  }

  private static ActorSystem system(String name, String extra) {
    return ActorSystem.create(
        name, ConfigFactory.parseString(extra).withFallback(ConfigFactory.load()));
  }

  private static void jdkSockets() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> echo(listening), "jdk-echo");
      echo.setDaemon(true);
      echo.start();
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listening.getLocalPort())) {
        socket.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        report(
            "JDK blocking sockets",
            () -> {
              long t0 = System.nanoTime();
              out.writeLong(t0);
              out.flush();
              in.readLong();
              return System.nanoTime() - t0;
            });
      }
    }
  }

  private static void echo(ServerSocket listening) {
    try (Socket s = listening.accept()) {
      s.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (true) {
        out.writeLong(in.readLong());
        out.flush();
      }
    } catch (IOException closed) {
      // the client is done
    }
  }

  /**
   * Dials from {@code system} to an echo bound in {@code serverSystem}: plain TCP when the contexts
   * are null, else mutual TLS 1.3 as the mesh uses it.
   */
  private static void pekko(
      ActorSystem system, ActorSystem serverSystem, SSLContext server, SSLContext client)
      throws Exception {
    boolean tls = server != null;
    int port = TestNodes.freePort();
    Supplier<SSLEngine> serverEngine =
        () -> {
          SSLEngine e = server.createSSLEngine();
          e.setUseClientMode(false);
          e.setNeedClientAuth(true);
          e.setEnabledProtocols(new String[] {TlsContexts.TLS_13});
          return e;
        };
    Supplier<SSLEngine> clientEngine =
        () -> {
          SSLEngine e = client.createSSLEngine("127.0.0.1", port);
          e.setUseClientMode(true);
          e.setEnabledProtocols(new String[] {TlsContexts.TLS_13});
          return e;
        };
    Tcp tcp = Tcp.get(system);
    Tcp accepting = Tcp.get(serverSystem);
    var connections =
        tls
            ? accepting.bindWithTls(
                "127.0.0.1",
                port,
                serverEngine,
                16,
                List.of(),
                Optional.empty(),
                session -> Optional.empty(),
                TLSClosing.eagerClose())
            : accepting.bind("127.0.0.1", port);
    var binding =
        connections
            .to(Sink.foreach(c -> c.handleWith(Flow.create(), serverSystem)))
            .run(serverSystem)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
    var connection =
        tls
            ? tcp.outgoingConnectionWithTls(
                remote,
                clientEngine,
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                session -> Optional.empty(),
                TLSClosing.eagerClose())
            : tcp.outgoingConnection(remote.getHostString(), port);
    // TCP may split the echo: a round trip ends when all bytes sent so far are back.
    AtomicLong received = new AtomicLong();
    AtomicReference<Awaited> awaited = new AtomicReference<>();
    BoundedSourceQueue<ByteString> queue =
        Source.<ByteString>queue(16)
            .via(connection)
            .toMat(
                Sink.foreach(
                    bytes -> {
                      Awaited a = awaited.get();
                      if (received.addAndGet(bytes.size()) >= a.bytes()) {
                        a.arrived().complete(System.nanoTime());
                      }
                    }),
                Keep.left())
            .run(system);
    AtomicLong sent = new AtomicLong();
    try {
      report(
          (tls ? "Pekko TCP stream + mutual TLS 1.3" : "Pekko TCP stream")
              + (system == serverSystem ? ", one actor system" : ", two actor systems"),
          () -> {
            Awaited a = new Awaited(sent.addAndGet(MESSAGE_BYTES), new CompletableFuture<>());
            awaited.set(a);
            long t0 = System.nanoTime();
            if (queue.offer(ByteString.fromArray(new byte[MESSAGE_BYTES]))
                != QueueOfferResult.enqueued()) {
              throw new IllegalStateException("the connection's queue refused a message");
            }
            return a.arrived().get(10, TimeUnit.SECONDS) - t0;
          });
    } finally {
      queue.complete();
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void report(String what, RoundTrip roundTrip) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      roundTrip.nanos();
    }
    for (long pauseMillis : new long[] {0, 2, 50}) {
      int n = pauseMillis == 50 ? 60 : 300;
      long[] micros = new long[n];
      for (int i = 0; i < n; i++) {
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
        micros[i] = roundTrip.nanos() / 1_000;
      }
      Arrays.sort(micros);
      System.out.printf(
          "BENCH %s, %s: round trip min %d us, median %d us, p90 %d us (%d round trips)%n",
          what,
          pauseMillis == 0 ? "back to back" : pauseMillis + " ms apart",
          micros[0],
          micros[n / 2],
          micros[n * 9 / 10],
          n);
    }
  }
}
