package io.adahit.server.admin;

import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.grpc.GrpcErrors;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;

/**
 * Refuses admin gRPC calls without the admin token in the {@code authorization} metadata ({@code
 * Bearer <token>}) with UNAUTHENTICATED, before the call reaches the service.
 *
 * <pre>{@code
 * ServerInterceptors.intercept(new AdminGrpcService(...), new AdminAuthInterceptor(auth));
 * }</pre>
 */
public final class AdminAuthInterceptor implements ServerInterceptor {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of(AdminAuth.HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final AdminAuth auth;

  public AdminAuthInterceptor(AdminAuth auth) {
    this.auth = auth;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    try {
      auth.check(headers.get(AUTHORIZATION));
    } catch (AdminAuth.AdminAuthException e) {
      StatusRuntimeException refused =
          GrpcErrors.error(ErrorKind.UNAUTHENTICATED, "UNAUTHENTICATED", e.getMessage());
      call.close(refused.getStatus(), refused.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
