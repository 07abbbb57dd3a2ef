package io.adahit.app;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.commons.io.output.WriterOutputStream;

/**
 * A command's progress output as the {@link PrintStream} that the progress classes (the progressbar
 * library's console consumer, PlainProgress, LoadProgress) write to, over picocli's error writer:
 * progress goes where the command's other messages go, also when a caller (a test, an embedding
 * program) gives the command its own {@code setErr}.
 *
 * <pre>{@code
 * new TrainProgress(steps, ProgressStream.of(spec.commandLine().getErr()));
 * }</pre>
 */
public final class ProgressStream {

  private ProgressStream() {}

  /**
   * A UTF-8 stream that hands every write to {@code err} at once and flushes it with every flush
   * (the progress bars flush after each redraw).
   */
  public static PrintStream of(PrintWriter err) {
    try {
      WriterOutputStream bytesToChars =
          WriterOutputStream.builder()
              .setWriter(err)
              .setCharset(StandardCharsets.UTF_8)
              .setWriteImmediately(true)
              .get();
      return new PrintStream(bytesToChars, true, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // a builder over a given writer does no I/O
    }
  }
}
