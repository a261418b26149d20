/** Small helpers shared by the modules: files written atomically, and a one-line progress bar for long work. */
package dev.cllm.util;
