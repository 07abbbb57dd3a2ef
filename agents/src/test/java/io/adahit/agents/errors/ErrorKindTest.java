package io.adahit.agents.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.agents.adapters.UnknownSkillException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorKindTest {

  @Test
  void userMistakesAreInvalidOrNotFound() {
    assertThat(ErrorKind.of(new IllegalArgumentException("--k must be >= 1")))
        .isEqualTo(ErrorKind.INVALID);
    assertThat(ErrorKind.of(new UnknownSkillException("bts", List.of("bst"))))
        .isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(ErrorKind.tag(new UnknownSkillException("bts", List.of("bst"))))
        .isEqualTo("unknown_skill");
    assertThat(ErrorKind.of(new NoSuchFileException("x.txt"))).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(ErrorKind.of(new ConflictException("default skill"))).isEqualTo(ErrorKind.CONFLICT);
    assertThat(ErrorKind.of(new IOException("disk full"))).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(ErrorKind.of(new CancellationException())).isEqualTo(ErrorKind.CANCELLED);
  }

  @Test
  void internalInvariantFailuresAreInternalNeverInvalid() {
    assertThat(ErrorKind.of(new IllegalStateException("pool closed")))
        .isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.of(new NullPointerException())).isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.of(new NoSuchElementException("iterator"))).isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.of(new IndexOutOfBoundsException(3))).isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.of(new AssertionError("x"))).isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.INTERNAL.httpStatus()).isEqualTo(500);
    assertThat(ErrorKind.INVALID.httpStatus()).isEqualTo(400);
  }

  @Test
  void wrappersAreUnwrappedAndInternalMessagesHidden() {
    Throwable wrapped =
        new CompletionException(new ExecutionException(new IllegalArgumentException("bad k")));
    assertThat(ErrorKind.of(wrapped)).isEqualTo(ErrorKind.INVALID);
    assertThat(ErrorKind.clientMessage(wrapped)).isEqualTo("bad k");
    Throwable bug = new CompletionException(new IllegalStateException("secret path /srv/x"));
    assertThat(ErrorKind.clientMessage(bug))
        .isEqualTo(ErrorKind.INTERNAL_MESSAGE)
        .doesNotContain("secret");
  }
}
