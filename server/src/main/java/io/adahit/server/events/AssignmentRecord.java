package io.adahit.server.events;

/**
 * A stored assignment: which variant of which experiment serves a conversation.
 *
 * @param transport where the conversation came in (websocket, grpc-act, grpc-chat)
 */
public record AssignmentRecord(
    String conversationId, String experiment, String variant, String skill, String transport) {

  public AssignmentRecord {
    if (conversationId == null
        || experiment == null
        || variant == null
        || skill == null
        || transport == null) {
      throw new IllegalStateException(
          "assignment record: conversation id, experiment, variant, skill and"
              + " transport are required");
    }
  }
}
