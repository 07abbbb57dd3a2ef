package io.adahit.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.agents.errors.ConflictException;
import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.chat.TooManyConversationsException;
import io.adahit.server.chat.UnknownConversationException;
import io.adahit.server.inference.OverloadedException;
import io.adahit.server.inference.ShuttingDownException;
import io.adahit.server.inference.TurnRequest;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {

  private static Status.Code code(Throwable t) {
    return GrpcErrors.toStatus(t).getStatus().getCode();
  }

  @Test
  void domainErrorsMapToTheirStatusCodes() {
    assertThat(code(new BadRequestException("missing_text", "no text"))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(new UnknownSkillException("x", List.of("base")))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(new UnknownConversationException("c1"))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(new OverloadedException(256))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(code(new TooManyConversationsException(10))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(code(new ShuttingDownException())).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void wrappedErrorsAreUnwrappedAndKeepTheirMessage() {
    var s = GrpcErrors.toStatus(new CompletionException(new OverloadedException(4))).getStatus();
    assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(s.getDescription()).contains("4 turns already waiting");
  }

  @Test
  void unexpectedFailuresAreInternalWithoutLeakingDetails() {
    var s = GrpcErrors.toStatus(new NullPointerException("secret")).getStatus();
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).doesNotContain("secret");
  }

  @Test
  void internalInvariantFailuresAreInternalNotInvalidArgument() {
    // a TurnRequest built without a context is a bug of the server, not the client's mistake
    var s = GrpcErrors.toStatus(new CompletionException(catching(() -> new TurnRequest(null, null, null, 1))))
        .getStatus();
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).isEqualTo(ErrorKind.INTERNAL_MESSAGE);
    assertThat(code(new IllegalStateException("lease of a retired skill"))).isEqualTo(Status.Code.INTERNAL);
    assertThat(code(new IllegalArgumentException("rank: candidates must not be empty")))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(new ConflictException("unload refused"))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(new CancellationException())).isEqualTo(Status.Code.CANCELLED);
  }

  private static Throwable catching(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }
}
