package io.adahit.server.admin;

import io.adahit.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the admin token of a call: the configured secret ({@code admin.token}, or the first line
 * of {@code admin.tokenFile}) against {@code Authorization: Bearer <token>}. The comparison is
 * constant-time ({@link MessageDigest#isEqual} on SHA-256 digests, so the lengths match too).
 * Without a configured token the admin API is off and every call is refused.
 *
 * <pre>{@code
 * AdminAuth auth = AdminAuth.of(config.admin());
 * auth.check(request.headers().get("Authorization"));   // AdminAuthException if refused
 * }</pre>
 */
public final class AdminAuth {

  /** The HTTP header and gRPC metadata key carrying the token. */
  public static final String HEADER = "authorization";

  private final byte[] tokenDigest;

  private AdminAuth(String token) {
    this.tokenDigest = token == null ? null : sha256(token);
  }

  /** The admin API's token from the config (null token: the API is off). */
  public static AdminAuth of(ServerConfig.Admin config) throws IOException {
    String token = config.token();
    if (config.tokenFile() != null) {
      String text =
          Files.readString(config.tokenFile(), StandardCharsets.UTF_8)
              .lines()
              .findFirst()
              .orElse("")
              .strip();
      if (text.length() < 16) {
        throw new IllegalArgumentException(
            "config: admin.tokenFile "
                + config.tokenFile()
                + " must hold a token of at least 16 characters on its first line, found "
                + text.length());
      }
      token = text;
    }
    return new AdminAuth(token);
  }

  /** An admin API with this token (tests). */
  public static AdminAuth withToken(String token) {
    return new AdminAuth(token);
  }

  public boolean enabled() {
    return tokenDigest != null;
  }

  /**
   * @param authorization the {@code Authorization} header or metadata value, or null
   * @throws AdminAuthException saying why the call is refused
   */
  public void check(String authorization) {
    if (tokenDigest == null) {
      throw new AdminAuthException(
          "the admin API is off: set admin.token or admin.tokenFile in the server config");
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new AdminAuthException(
          "admin call without a token: send the header 'Authorization: Bearer <token>'");
    }
    byte[] presented = sha256(authorization.substring(7).strip());
    if (!MessageDigest.isEqual(presented, tokenDigest)) {
      throw new AdminAuthException("admin token refused");
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** An admin call without a valid token; gRPC UNAUTHENTICATED, HTTP 401. */
  public static final class AdminAuthException extends RuntimeException
      implements io.adahit.agents.errors.ClassifiedError {
    public AdminAuthException(String message) {
      super(message);
    }

    @Override
    public io.adahit.agents.errors.ErrorKind errorKind() {
      return io.adahit.agents.errors.ErrorKind.UNAUTHENTICATED;
    }
  }
}
