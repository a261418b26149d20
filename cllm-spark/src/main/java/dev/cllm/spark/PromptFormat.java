package dev.cllm.spark;

/** How the prompt input is stored: JSONL (as cllm trajectories takes it), Parquet, or AUTO (by name). */
public enum PromptFormat {
    AUTO,
    JSONL,
    PARQUET
}
