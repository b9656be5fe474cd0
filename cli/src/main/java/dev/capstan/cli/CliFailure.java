package dev.capstan.cli;

/**
 * A failure the user should read as a sentence, not a stack trace: the message is printed as
 * {@code capstan: <message>} and the process exits with {@code exitCode}.
 */
public final class CliFailure extends RuntimeException {

    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    public CliFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public static CliFailure failed(String message) {
        return new CliFailure(FAILED, message);
    }

    public static CliFailure usage(String message) {
        return new CliFailure(USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
