/**
 * Training and evaluation data: a seeded generator of GSM8K-style grade-school math word problems.
 *
 * <ul>
 *   <li>{@link dev.cllm.data.MathGenerator}: {@code new MathGenerator(Split.TRAIN, seed).generate(n)} or
 *       {@code .problem(i)}; deterministic per (split, seed, index). Train and test never share a question
 *       text, and each family's last phrasing appears only in test.</li>
 *   <li>{@link dev.cllm.data.MathPrompt}: the one prompt format of the pipeline,
 *       {@code "Question: " + q + "\nAnswer:"}, continued by {@code " " + solution} and EOS.</li>
 *   <li>{@link dev.cllm.data.AnswerChecker}: reads the number after {@code ####} and compares it to the gold
 *       answer.</li>
 *   <li>{@link dev.cllm.data.MathDatasets}: JSONL ({@code {"question","answer","final"}}) and plain-text corpora
 *       (each document followed by {@code </s>} and a newline).</li>
 * </ul>
 *
 * CLI: {@code cllm data math --split train|test --count N --seed S --out FILE [--format jsonl|text] [--meta]}
 * and {@code cllm data check --train A.jsonl --test B.jsonl}.
 */
package dev.cllm.data;
