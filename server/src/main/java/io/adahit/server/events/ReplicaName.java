package io.adahit.server.events;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's name in the event store's assignment records: {@code events.replica} when set,
 * else the {@code HOSTNAME} environment variable (the pod name on Kubernetes, the container id
 * under Docker), else the host name the resolver gives. A host name that does not resolve (a
 * container build step, a sandbox without its name in /etc/hosts) does not stop the server: the
 * name is then {@code adahit-<pid>}, logged as a warning. The name only labels records; it is never
 * used to route.
 *
 * <pre>{@code
 * String replica = ReplicaName.resolve(config.events().replica(), System.getenv());
 * }</pre>
 */
public final class ReplicaName {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaName.class);

  private ReplicaName() {}

  /** The name of this replica (see the class comment for the order). */
  public static String resolve(String configured, Map<String, String> env) {
    return resolve(configured, env, ReplicaName::localHostName, ProcessHandle.current().pid());
  }

  static String resolve(String configured, Map<String, String> env, HostLookup lookup, long pid) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String host = env.get("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host.strip();
    }
    try {
      return lookup.hostName();
    } catch (UnknownHostException e) {
      String fallback = "adahit-" + pid;
      LOG.warn(
          "the host name does not resolve ({}); this replica is '{}' in the event store (set events.replica"
              + " or HOSTNAME to name it)",
          e.getMessage(),
          fallback);
      return fallback;
    }
  }

  private static String localHostName() throws UnknownHostException {
    return InetAddress.getLocalHost().getHostName();
  }

  /** {@link InetAddress#getLocalHost()}'s name, replaceable in tests. */
  @FunctionalInterface
  interface HostLookup {
    String hostName() throws UnknownHostException;
  }
}
