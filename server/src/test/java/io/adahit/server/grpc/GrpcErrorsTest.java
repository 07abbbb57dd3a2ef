package io.adahit.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.agents.errors.ClassifiedError;
import io.adahit.agents.errors.ConflictException;
import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.chat.TooManyConversationsException;
import io.adahit.server.chat.UnknownConversationException;
import io.adahit.server.inference.OverloadedException;
import io.adahit.server.inference.ShuttingDownException;
import io.adahit.server.inference.TurnRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
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
    assertThat(code(new BadRequestException("missing_text", "no text")))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(new UnknownSkillException("x", List.of("base"))))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(new UnknownConversationException("c1"))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(new OverloadedException(256))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(code(new TooManyConversationsException(10)))
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
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
    var s =
        GrpcErrors.toStatus(
                new CompletionException(catching(() -> new TurnRequest(null, null, null, 1))))
            .getStatus();
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).isEqualTo(ErrorKind.INTERNAL_MESSAGE);
    assertThat(code(new IllegalStateException("lease of a retired skill")))
        .isEqualTo(Status.Code.INTERNAL);
    assertThat(code(new IllegalArgumentException("rank: candidates must not be empty")))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(new ConflictException("unload refused")))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(new CancellationException())).isEqualTo(Status.Code.CANCELLED);
  }

  private static ErrorInfo info(Throwable t) throws Exception {
    com.google.rpc.Status s = StatusProto.fromThrowable(GrpcErrors.toStatus(t));
    assertThat(s).isNotNull();
    assertThat(s.getCode()).isEqualTo(GrpcErrors.toStatus(t).getStatus().getCode().value());
    ErrorInfo info = s.getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getDomain()).isEqualTo("adahit.io");
    return info;
  }

  @Test
  void errorInfoTellsApartErrorsThatShareACode() throws Exception {
    assertThat(info(new OverloadedException(256)).getReason()).isEqualTo("QUEUE_FULL");
    assertThat(
            info(new OverloadedException("Rank calls already wait (rank.queueCapacity)"))
                .getReason())
        .isEqualTo("QUEUE_FULL");
    assertThat(info(new TooManyConversationsException(10)).getReason())
        .isEqualTo("TOO_MANY_CONVERSATIONS");
    assertThat(info(new TooManyConversationsException(10)).getMetadataMap())
        .containsEntry("kind", "overloaded");
    assertThat(info(new UnknownSkillException("x", List.of("base"))).getReason())
        .isEqualTo("UNKNOWN_SKILL");
    assertThat(info(new UnknownConversationException("c1")).getReason())
        .isEqualTo("UNKNOWN_CONVERSATION");
    assertThat(info(new BadRequestException("too_long", "long")).getReason()).isEqualTo("TOO_LONG");
    assertThat(info(new ShuttingDownException()).getReason()).isEqualTo("SHUTTING_DOWN");
    assertThat(info(new CompletionException(new NullPointerException("secret"))).getReason())
        .isEqualTo("INTERNAL");
  }

  /** Every kind has a reason, and errors without a finer tag get their kind's. */
  @Test
  void everyErrorKindHasAReason() throws Exception {
    for (ErrorKind kind : ErrorKind.values()) {
      StatusRuntimeException e = GrpcErrors.error(kind, GrpcErrors.reason(new Kinded(kind)), "x");
      ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
      assertThat(info.getReason())
          .as(kind.name())
          .isEqualTo(kind.name())
          .matches("[A-Z][A-Z0-9_]+[A-Z0-9]");
      assertThat(e.getStatus().getCode()).isEqualTo(GrpcErrors.status(kind).getCode());
    }
    assertThat(info(new IllegalArgumentException("bad k")).getReason()).isEqualTo("INVALID");
    assertThat(info(new ConflictException("default skill")).getReason()).isEqualTo("CONFLICT");
    assertThat(info(new java.io.IOException("disk")).getReason()).isEqualTo("UNAVAILABLE");
    assertThat(info(new CancellationException()).getReason()).isEqualTo("CANCELLED");
    StatusRuntimeException idle =
        GrpcErrors.error(
            Status.Code.DEADLINE_EXCEEDED,
            "CONVERSATION_IDLE",
            "conversation_idle",
            "conversation c1 closed: idle");
    assertThat(idle.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(StatusProto.fromThrowable(idle).getDetails(0).unpack(ErrorInfo.class).getReason())
        .isEqualTo("CONVERSATION_IDLE");
  }

  /** An error that says only its kind. */
  private static final class Kinded extends RuntimeException implements ClassifiedError {
    private final ErrorKind kind;

    Kinded(ErrorKind kind) {
      this.kind = kind;
    }

    @Override
    public ErrorKind errorKind() {
      return kind;
    }
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
