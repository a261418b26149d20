package dev.cllm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's Java example is QuickStart.java, character for character, and the example in Cllm's Javadoc
 * is the body of GenerateFromCheckpoint.main: the code the documentation shows is the code the build
 * compiles and runs.
 */
class ExamplesMatchDocsTest {
    /** Surefire runs in this module's folder; the repository root is its parent. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static final Path EXAMPLES = ROOT.resolve("cllm-examples/src/main/java/dev/cllm/examples");

    @Test
    void theReadmeShowsQuickStartJavaVerbatim() throws IOException {
        String example = Files.readString(EXAMPLES.resolve("QuickStart.java"));
        List<String> blocks = fencedBlocks(Files.readString(ROOT.resolve("README.md")), "java");
        assertTrue(
                blocks.contains(example),
                "README.md has a ```java block equal to QuickStart.java; its java blocks:\n"
                        + String.join("\n----\n", blocks));
    }

    @Test
    void cllmJavadocShowsTheBodyOfGenerateFromCheckpoint() throws IOException {
        String javadoc = Files.readString(ROOT.resolve("cllm-core/src/main/java/dev/cllm/Cllm.java"));
        Matcher pre = Pattern.compile("<pre>\\{@code\\n(.*?)\\n \\* }</pre>", Pattern.DOTALL)
                .matcher(javadoc);
        assertTrue(pre.find(), "Cllm.java has a <pre>{@code ...}</pre> example");
        String shown = pre.group(1)
                .lines()
                .map(l -> l.replaceFirst("^ \\* ?", ""))
                .reduce((a, b) -> a + "\n" + b)
                .orElse("");
        String source = Files.readString(EXAMPLES.resolve("GenerateFromCheckpoint.java"));
        Matcher main = Pattern.compile(
                        "public static void main\\(String\\[] args\\) \\{\\n(.*?)\\n    }\\n", Pattern.DOTALL)
                .matcher(source);
        assertTrue(main.find(), "GenerateFromCheckpoint has a main method");
        String body = main.group(1)
                .lines()
                .map(l -> l.startsWith("        ") ? l.substring(8) : l)
                .reduce((a, b) -> a + "\n" + b)
                .orElse("");
        assertEquals(body, shown);
    }

    /** The contents of the fenced code blocks of a language in a Markdown text. */
    static List<String> fencedBlocks(String markdown, String language) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("^```" + language + "\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE)
                .matcher(markdown);
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    @Test
    void fencedBlocksFindsEachBlockOfTheLanguage() {
        String md = "text\n```java\nclass A {}\n```\n```bash\nls\n```\n```java\nclass B {}\n\n```\n";
        assertEquals(List.of("class A {}\n", "class B {}\n\n"), fencedBlocks(md, "java"));
    }
}
