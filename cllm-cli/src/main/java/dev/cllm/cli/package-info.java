/**
 * The {@code cllm} command line (picocli): generate, bench, demo, serve, info, convert, data, tokenizer,
 * trajectories, train, pretrain. Options shared by several commands are mixins, so each is declared and
 * checked once and every error names the option.
 */
package dev.cllm.cli;
