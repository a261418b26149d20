package dev.cllm.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a GSM8K-style solution: sentences with inline single-operation calculations
 * {@code a op b = <<a op b=c>>c}, and a last line {@code #### c} where c is the value of the last
 * calculation. Calculations whose result is negative, at least {@link #MAX_RESULT}, or an inexact
 * division reject the problem ({@link Reject}), and the generator draws new numbers.
 */
final class Solution {
    /** Exclusive upper bound on every calculated value. */
    static final long MAX_RESULT = 10_000;

    /** A calculation: its value, and its text {@code a op b = <<a op b=c>>c}. */
    record Calc(long v, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** Thrown (without stack trace) when drawn numbers do not make a valid problem. */
    static final class Reject extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Reject INSTANCE = new Reject();

        private Reject() {
            super("rejected", null, false, false);
        }
    }

    private final List<String> lines = new ArrayList<>(8);
    private long last = -1;
    private int steps;

    void reset() {
        lines.clear();
        last = -1;
        steps = 0;
    }

    /** Records {@code a op b}; op is one of + - * /. */
    Calc calc(long a, char op, long b) {
        long c;
        switch (op) {
            case '+':
                c = a + b;
                break;
            case '-':
                c = a - b;
                break;
            case '*':
                c = a * b;
                break;
            case '/':
                if (b == 0 || a % b != 0) throw Reject.INSTANCE;
                c = a / b;
                break;
            default:
                throw new IllegalArgumentException("op " + op);
        }
        if (a < 0 || b < 0 || c < 0 || c >= MAX_RESULT) throw Reject.INSTANCE;
        String e = Long.toString(a) + op + b;
        last = c;
        steps++;
        return new Calc(c, e + " = <<" + e + "=" + c + ">>" + c);
    }

    Calc add(long a, long b) {
        return calc(a, '+', b);
    }

    Calc sub(long a, long b) {
        return calc(a, '-', b);
    }

    Calc mul(long a, long b) {
        return calc(a, '*', b);
    }

    Calc div(long a, long b) {
        return calc(a, '/', b);
    }

    /** Adds one sentence line. */
    void line(String s) {
        lines.add(s);
    }

    int steps() {
        return steps;
    }

    long finalValue() {
        if (steps == 0) throw new IllegalStateException("a solution needs at least one calculation");
        return last;
    }

    String render() {
        StringBuilder sb = new StringBuilder(256);
        for (String l : lines) sb.append(l).append('\n');
        return sb.append("#### ").append(finalValue()).toString();
    }
}
