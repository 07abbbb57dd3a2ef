package io.adahit.server.grpc;

import io.adahit.agents.adapters.UnknownSkillException;
import io.adahit.server.chat.BadRequestException;
import io.adahit.server.chat.TooManyConversationsException;
import io.adahit.server.chat.UnknownConversationException;
import io.adahit.server.events.EventStore;
import io.adahit.server.inference.OverloadedException;
import io.adahit.server.inference.ShuttingDownException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Domain errors to gRPC Status, in one place: a user mistake is never INTERNAL. */
final class GrpcErrors {

  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    Status s;
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    } else if (e instanceof BadRequestException || e instanceof IllegalArgumentException) {
      s = Status.INVALID_ARGUMENT;
    } else if (e instanceof UnknownSkillException || e instanceof UnknownConversationException) {
      s = Status.NOT_FOUND;
    } else if (e instanceof OverloadedException || e instanceof TooManyConversationsException) {
      s = Status.RESOURCE_EXHAUSTED;
    } else if (e instanceof ShuttingDownException || e instanceof EventStore.EventStoreException) {
      s = Status.UNAVAILABLE;
    } else {
      LOG.error("gRPC call failed", e);
      return Status.INTERNAL.withDescription("internal error; the server logged it").asRuntimeException();
    }
    return s.withDescription(e.getMessage()).asRuntimeException();
  }
}
