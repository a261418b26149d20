package dev.cllm.cli;

import dev.cllm.CllmException;
import picocli.CommandLine;

/**
 * Turns an exception from a command into one line on stderr and exit code 1 (2 for bad arguments).
 * Set CLLM_DEBUG=1 for the stack trace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
        if (System.getenv("CLLM_DEBUG") != null) e.printStackTrace();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof IllegalArgumentException) {
            cli.getErr().println("cllm " + cli.getCommandName() + ": " + message);
            return 2;
        }
        String kind = e instanceof CllmException c ? c.status().name().toLowerCase(java.util.Locale.ROOT) : "error";
        cli.getErr().println("cllm " + cli.getCommandName() + ": " + kind + ": " + message);
        return 1;
    }
}
