package io.adahit.eval.teachers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing and malformed data files are refused with the file, the folder or the line named. */
class BadInputTest {

  @TempDir Path data;

  private Teacher create(String task) throws IOException {
    return TeacherRegistry.builtIn().create(task, TeacherOptions.of(data, Datatype.VALID));
  }

  @Test
  void missingFileNamesTheFileTheFolderAndTheOtherNamesTried() {
    Path abs = data.toAbsolutePath().normalize();
    assertThatThrownBy(() -> create("blended_skill_talk"))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(
            abs.resolve("bst/valid_dialogues.json")
                + ": task 'blended_skill_talk' (valid): data file"
                + " valid_dialogues.json not found in folder "
                + abs.resolve("bst")
                + " (which does not exist)"
                + " (--datapath "
                + abs
                + "; also looked for bst/valid.json, blended_skill_talk/valid.json)");
  }

  @Test
  void missingExplicitFileNamesItsFolder() throws IOException {
    Files.createDirectories(data.resolve("mine"));
    TeacherOptions opts =
        TeacherOptions.of(data, Datatype.VALID).withDataFile(data.resolve("mine/chat.txt"));
    assertThatThrownBy(() -> TeacherRegistry.builtIn().create("fromfile", opts))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(
            "task 'fromfile': data file chat.txt not found in folder "
                + data.toAbsolutePath().normalize().resolve("mine"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("does not exist"));
  }

  @Test
  void malformedJsonNamesTheFileAndLine() throws IOException {
    Files.createDirectories(data.resolve("bst"));
    Files.writeString(data.resolve("bst/valid_dialogues.json"), "[\n  {\"dialog\": [\n  oops\n]");
    assertThatThrownBy(() -> create("blended_skill_talk"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(data.resolve("bst/valid_dialogues.json") + ":3:")
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void malformedJsonLineNamesTheFileAndLineNumber() throws IOException {
    Files.createDirectories(data.resolve("ed"));
    String good =
        "{\"conv_id\": \"c1\", \"emotion\": \"sad\", \"situation\": \"s\", \"utterances\":"
            + " [{\"utterance_idx\": 1, \"text\": \"hi\"}, {\"utterance_idx\": 2, \"text\": \"oh no\"}]}";
    Files.writeString(data.resolve("ed/valid.jsonl"), good + "\n" + good + "\n{\"conv_id\": \n");
    assertThatThrownBy(() -> create("empathetic_dialogues"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(data.resolve("ed/valid.jsonl") + ":3: not valid JSON");
  }

  @Test
  void malformedConvai2LineNamesTheFileAndLineNumber() throws IOException {
    Files.createDirectories(data.resolve("convai2"));
    Files.writeString(
        data.resolve("convai2/valid_self_original_no_cands.txt"),
        "1 your persona: i ski.\n2 hi\thello\nthree how are you?\tfine\n");
    assertThatThrownBy(() -> create("convai2"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            data.resolve("convai2/valid_self_original_no_cands.txt")
                + ":3: fbdialog lines must start"
                + " with a turn number, found 'three how are you?\tfine'");
  }
}
