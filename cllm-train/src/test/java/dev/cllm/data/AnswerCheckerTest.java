package dev.cllm.data;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerCheckerTest {
    @Test
    void readsTheNumberAfterTheMark() {
        assertTrue(AnswerChecker.isCorrect("She sold 48+24 = <<48+24=72>>72 clips.\n#### 72", "72"));
        assertTrue(AnswerChecker.isCorrect("#### 72", 72));
        assertTrue(AnswerChecker.isCorrect("####72", "72"));
        assertTrue(AnswerChecker.isCorrect("#### \t 72  \n", "72"));
        assertTrue(AnswerChecker.isCorrect("#### 72\n\nQuestion: more text", "72"));
        assertFalse(AnswerChecker.isCorrect("#### 73", "72"));
        assertFalse(AnswerChecker.isCorrect("#### 7", "72"));
    }

    @Test
    void commasNegativesDecimalsAndDollars() {
        assertTrue(AnswerChecker.isCorrect("#### 1,234", "1234"));
        assertTrue(AnswerChecker.isCorrect("#### 1,234,567", 1234567));
        assertTrue(AnswerChecker.isCorrect("#### 1234", "1,234"));
        assertTrue(AnswerChecker.isCorrect("#### -5", "-5"));
        assertFalse(AnswerChecker.isCorrect("#### -5", "5"));
        assertTrue(AnswerChecker.isCorrect("#### 72.0", "72"));
        assertTrue(AnswerChecker.isCorrect("#### 72.", "72"));
        assertFalse(AnswerChecker.isCorrect("#### 72.5", "72"));
        assertTrue(AnswerChecker.isCorrect("#### $72", "72"));
        assertEquals(Optional.of(new BigDecimal("-1234")), AnswerChecker.finalAnswer("x\n#### -1,234"));
    }

    @Test
    void malformedIsFalse() {
        assertFalse(AnswerChecker.isCorrect(null, "72"));
        assertFalse(AnswerChecker.isCorrect("", "72"));
        assertFalse(AnswerChecker.isCorrect("The answer is 72", "72"));
        assertFalse(AnswerChecker.isCorrect("#### ", "72"));
        assertFalse(AnswerChecker.isCorrect("####\n72", "72"));
        assertFalse(AnswerChecker.isCorrect("#### seventy-two", "72"));
        assertFalse(AnswerChecker.isCorrect("#### 72abc", "72"));
        assertFalse(AnswerChecker.isCorrect("#### 72<<", "72"));
        assertFalse(AnswerChecker.isCorrect("#### 1,23", "123"));
        assertFalse(AnswerChecker.isCorrect("#### 12,3456", "123456"));
        assertFalse(AnswerChecker.isCorrect("#### --72", "72"));
        assertFalse(AnswerChecker.isCorrect("### 72", "72"));
        assertEquals(Optional.empty(), AnswerChecker.finalAnswer("#### x 72"));
    }

    @Test
    void firstMarkCounts() {
        assertTrue(AnswerChecker.isCorrect("#### 5\n#### 6", "5"));
        assertFalse(AnswerChecker.isCorrect("#### 5\n#### 6", "6"));
    }

    @Test
    void badGoldThrows() {
        assertThrows(IllegalArgumentException.class, () -> AnswerChecker.isCorrect("#### 5", "five"));
        assertThrows(IllegalArgumentException.class, () -> AnswerChecker.isCorrect("#### 5", (String) null));
    }
}
