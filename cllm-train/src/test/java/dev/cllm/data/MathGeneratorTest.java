package dev.cllm.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MathGeneratorTest {
    private static final Pattern CALC =
            Pattern.compile("(\\d+)([-+*/])(\\d+) = <<(\\d+)([-+*/])(\\d+)=(-?\\d+)>>(-?\\d+)");
    private static final Pattern ANNOTATION = Pattern.compile("<<([^>]*)>>");
    private static List<MathProblem> train;
    private static List<MathProblem> test;

    @BeforeAll
    static void generate() {
        train = new MathGenerator(Split.TRAIN, 11).generate(20_000);
        test = new MathGenerator(Split.TEST, 12).generate(5_000);
    }

    @Test
    void sameSeedSameProblemsAndRandomAccess() {
        MathGenerator a = new MathGenerator(Split.TRAIN, 11);
        List<MathProblem> again = a.generate(500);
        assertEquals(train.subList(0, 500), again);
        assertEquals(train.get(12_345), a.problem(12_345));
        assertEquals(test.get(77), new MathGenerator(Split.TEST, 12).problem(77));
    }

    @Test
    void differentSeedsAndSplitsDiffer() {
        List<MathProblem> b = new MathGenerator(Split.TRAIN, 12).generate(200);
        List<MathProblem> c = new MathGenerator(Split.TEST, 11).generate(200);
        int sameB = 0, sameC = 0;
        for (int i = 0; i < 200; i++) {
            if (b.get(i).question().equals(train.get(i).question())) sameB++;
            if (c.get(i).question().equals(train.get(i).question())) sameC++;
        }
        assertTrue(sameB < 5, "seed 12 repeats seed 11: " + sameB);
        assertEquals(0, sameC);
    }

    @Test
    void atLeastThirtyFamiliesAreProduced() {
        assertTrue(MathGenerator.familyCount() >= 30, "families: " + MathGenerator.familyCount());
        Set<String> seen = new TreeSet<>();
        for (MathProblem p : train) seen.add(p.family());
        assertEquals(new TreeSet<>(MathGenerator.familyNames()), seen);
        assertTrue(seen.size() >= 30);
        Set<String> seenTest = new TreeSet<>();
        for (MathProblem p : test) seenTest.add(p.family());
        assertEquals(seen, seenTest);
    }

    @Test
    void stepsRangeFromOneToSix() {
        int[] hist = new int[8];
        for (MathProblem p : train) {
            assertTrue(p.steps() >= 1 && p.steps() <= 6, p.family() + " has " + p.steps() + " steps");
            hist[p.steps()]++;
        }
        for (int s = 1; s <= 6; s++) assertTrue(hist[s] > 50, "too few problems with " + s + " steps: " + hist[s]);
    }

    @Test
    void everyCalculationIsCorrectAndTheFinalAnswerIsTheLastValue() {
        List<MathProblem> all = new ArrayList<>(train);
        all.addAll(test);
        long operands = 0, small = 0;
        for (MathProblem p : all) {
            String[] lines = p.answer().split("\n");
            String last = lines[lines.length - 1];
            assertTrue(last.matches("#### \\d+"), "last line: " + last);
            assertEquals("#### " + p.finalAnswer(), last);
            int annotations = 0;
            Matcher any = ANNOTATION.matcher(p.answer());
            while (any.find()) annotations++;
            Matcher m = CALC.matcher(p.answer());
            long lastValue = -1;
            int calcs = 0;
            while (m.find()) {
                calcs++;
                long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3));
                String op = m.group(2);
                assertEquals(m.group(1), m.group(4), p.answer());
                assertEquals(op, m.group(5), p.answer());
                assertEquals(m.group(3), m.group(6), p.answer());
                assertEquals(m.group(7), m.group(8), "text after >> must repeat the result: " + p.answer());
                long c = Long.parseLong(m.group(7));
                long expect = switch (op) {
                    case "+" -> a + b;
                    case "-" -> a - b;
                    case "*" -> a * b;
                    default -> {
                        assertEquals(0, a % b, "inexact division in " + p.answer());
                        yield a / b;
                    }
                };
                assertEquals(expect, c, "wrong calculation in " + p.answer());
                assertTrue(c >= 0 && c < 10_000, "result out of range: " + c);
                operands += 2;
                if (a < 100) small++;
                if (b < 100) small++;
                lastValue = c;
            }
            assertEquals(annotations, calcs, "malformed annotation in " + p.answer());
            assertEquals(p.steps(), calcs);
            assertEquals(Long.toString(lastValue), p.finalAnswer(), p.answer());
            assertTrue(AnswerChecker.isCorrect(p.answer(), p.finalAnswer()));
        }
        assertTrue(small > 0.8 * operands, "operands < 100: " + small + " of " + operands);
    }

    @Test
    void textsAreClean() {
        Set<String> names = new HashSet<>(List.of(Lexicon.FEMALE));
        names.addAll(List.of(Lexicon.MALE));
        Pattern word = Pattern.compile("[A-Z][a-z]+");
        for (MathProblem p : train) {
            String q = p.question();
            assertFalse(
                    q.contains("{}") || q.contains("\n") || q.contains("  ") || q.contains("<<") || q.contains("####"),
                    q);
            assertTrue(q.endsWith("?") || q.endsWith("."), q);
            assertFalse(q.matches(".*\\b1 (cups|friends|adults|children|quarters|dimes|hours)\\b.*"), q);
            assertFalse(q.matches(".*\\ba ([aeiou]|8|11 |18 ).*"), q);
            assertFalse(p.answer().contains("{}") || p.answer().contains("  "), p.answer());
            Matcher m = word.matcher(p.answer());
            while (m.find()) {
                if (names.contains(m.group()))
                    assertTrue(q.contains(m.group()), "solution names " + m.group() + ": " + q);
            }
        }
    }

    @Test
    void trainAndTestAreDisjointByTextAndPhrasing() {
        Set<String> trainQ = new HashSet<>();
        for (MathProblem p : train) trainQ.add(p.question());
        List<String> testQ = test.stream().map(MathProblem::question).toList();
        assertEquals(Set.of(), MathDatasets.overlap(trainQ, testQ));
        for (MathProblem p : train) {
            assertFalse(MathGenerator.isTestQuestion(p.question()));
            assertFalse(p.heldOutPhrasing(), "held-out phrasing in train: " + p.family());
        }
        Map<String, Integer> heldOut = new HashMap<>();
        for (MathProblem p : test) {
            assertTrue(MathGenerator.isTestQuestion(p.question()));
            if (p.heldOutPhrasing()) heldOut.merge(p.family(), 1, Integer::sum);
        }
        assertEquals(MathGenerator.familyCount(), heldOut.size(), "every family's held-out phrasing shows up in test");
        assertTrue(
                MathDatasets.overlap(trainQ, List.of(train.get(3).question())).size() == 1, "overlap must detect");
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new MathGenerator(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new MathGenerator(Split.TRAIN, 1).problem(-1));
        assertThrows(IllegalArgumentException.class, () -> Split.parse("dev"));
        assertEquals(Split.TEST, Split.parse("TEST"));
    }
}
