package io.adahit.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.agents.errors.ConflictException;
import io.adahit.agents.errors.ErrorKind;
import io.adahit.server.skills.AdapterRefusedException;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Admin errors come from the shared classification: HTTP code and gRPC Status agree. */
class AdminErrorsTest {

  @Test
  void userMistakesAre4xxAndConflictsFailedPrecondition() {
    assertThat(
            AdminErrors.kind(new AdapterRefusedException("adapter directory 'x' not found"))
                .httpStatus())
        .isEqualTo(400);
    assertThat(AdminErrors.toStatus(new AdapterRefusedException("bad")).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(AdminErrors.kind(new UnknownSkillException("x", List.of("base"))).httpStatus())
        .isEqualTo(404);
    assertThat(AdminErrors.kind(new AdminAuth.AdminAuthException("no token")).httpStatus())
        .isEqualTo(401);
    ConflictException conflict = new ConflictException("skill 'base' is the default skill");
    assertThat(AdminErrors.kind(conflict).httpStatus()).isEqualTo(409);
    assertThat(AdminErrors.toStatus(conflict).getStatus().getCode())
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void anInternalInvariantFailureIs500WithAGenericMessage() {
    // was 409 CONFLICT: every IllegalStateException counted as a conflict
    IllegalStateException bug =
        new IllegalStateException("skill 'ada' is retired but still returned as current");
    assertThat(AdminErrors.kind(new CompletionException(bug)).httpStatus()).isEqualTo(500);
    assertThat(AdminErrors.message(bug)).isEqualTo(ErrorKind.INTERNAL_MESSAGE);
    var status = AdminErrors.toStatus(new NullPointerException("field x")).getStatus();
    assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.getDescription()).doesNotContain("field x");
  }
}
