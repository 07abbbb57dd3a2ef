package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FromFileTeacherTest {

  @TempDir Path dir;

  private Teacher load(String content) throws IOException {
    Path file = dir.resolve("chat.txt");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return FromFileTeacher.load(TeacherOptions.of(dir, Datatype.VALID).withDataFile(file));
  }

  @Test
  void parsesFieldsEscapesListsAndEpisodes() throws IOException {
    Teacher t =
        load(
            "text:hello\\nthere\tlabels:hi|hey__PIPE__you\tlabel_candidates:no|hi|a\\tb\temotion:glad\n"
                + "text:how are you?\tlabels:fine\tepisode_done:True\n"
                + "\n"
                + "text:new one\tlabels:yes\treward:1\n");

    assertThat(t.numEpisodes()).isEqualTo(2);
    assertThat(t.numExamples()).isEqualTo(3);
    Example first = t.episodes().get(0).examples().get(0);
    assertThat(first.text()).isEqualTo("hello\nthere");
    assertThat(first.evalLabels()).containsExactly("hi", "hey|you");
    assertThat(first.labelCandidates()).containsExactly("no", "hi", "a\tb");
    assertThat(first.fields()).containsEntry("emotion", "glad");
    assertThat(first.episodeDone()).isFalse();
    assertThat(t.episodes().get(0).examples().get(1).episodeDone()).isTrue();
    // the file's last episode ends at the last line, as in ParlAI
    Example last = t.episodes().get(1).examples().get(0);
    assertThat(last.episodeDone()).isTrue();
    assertThat(last.fields()).containsEntry("reward", "1");
    assertThat(last.id()).endsWith("/chat.txt");
    assertThat(last.labelCandidates()).isEmpty();
    assertThat(t.candidateSource()).contains("the data file's label_candidates", "none");
  }

  @Test
  void anyNonEmptyEpisodeDoneEndsTheEpisodeLikePythonBool() throws IOException {
    Teacher t = load("text:a\tlabels:b\tepisode_done:False\ntext:c\tlabels:d\n");
    assertThat(t.numEpisodes()).isEqualTo(2);
  }

  @Test
  void samplesCandidatesOnlyWhenKIsSet() throws IOException {
    Path file = dir.resolve("k.txt");
    Files.writeString(
        file,
        "text:a\tlabels:one\tepisode_done:True\ntext:b\tlabels:two\tepisode_done:True\n"
            + "text:c\tlabels:three\tepisode_done:True\n",
        StandardCharsets.UTF_8);
    Teacher t =
        FromFileTeacher.load(
            TeacherOptions.of(dir, Datatype.TEST).withDataFile(file).withNumCandidates(3));
    t.examples()
        .forEach(
            ex -> assertThat(ex.labelCandidates()).hasSize(3).contains(ex.evalLabels().get(0)));
    assertThat(t.candidateSource()).contains("gold + 2 sampled");
  }

  @Test
  void rejectsMissingFieldsWithTheLineNumber() throws IOException {
    assertThatThrownBy(() -> load("text:a\tlabels:b\nlabels:c\n"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("chat.txt:2")
        .hasMessageContaining("'text' field is required");
    assertThatThrownBy(() -> load("text:a\teval_labels:b\n"))
        .hasMessageContaining("use 'labels', not 'eval_labels'");
    assertThatThrownBy(() -> load("text:a\tlabels:b\toops\n"))
        .hasMessageContaining("chat.txt:1")
        .hasMessageContaining("name:value, found 'oops'");
  }

  @Test
  void needsADataFile() {
    assertThatThrownBy(() -> FromFileTeacher.load(TeacherOptions.of(dir, Datatype.VALID)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--fromfile-datapath");
  }

  @Test
  void fbFormatReadsNumberedLinesAndRejectsDanglingContext() throws IOException {
    Path file = dir.resolve("fb.txt");
    Files.writeString(
        file,
        "1 your persona: i ski.\n2 hi\thello\t\tbye|hello\n3 and?\tso|also\n1 ctx\n2 q\ta\n",
        StandardCharsets.UTF_8);
    Teacher t =
        FromFileTeacher.loadFbFormat(TeacherOptions.of(dir, Datatype.VALID).withDataFile(file));
    assertThat(t.episodes()).extracting(Episode::size).containsExactly(2, 1);
    Example first = t.examples().findFirst().orElseThrow();
    assertThat(first.text()).isEqualTo("your persona: i ski.\nhi");
    assertThat(first.labelCandidates()).containsExactly("bye", "hello");
    assertThat(t.episodes().get(0).examples().get(1).evalLabels()).containsExactly("so", "also");
    assertThat(t.episodes().get(1).examples().get(0).text()).isEqualTo("ctx\nq");

    Files.writeString(file, "1 ctx\n2 q\ta\n3 dangling\n1 next\ty\n", StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                FromFileTeacher.loadFbFormat(
                    TeacherOptions.of(dir, Datatype.VALID).withDataFile(file)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("fb.txt:3")
        .hasMessageContaining("followed by no labelled line");
  }
}
