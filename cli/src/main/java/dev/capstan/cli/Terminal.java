package dev.capstan.cli;

import java.io.Console;
import java.util.Optional;

/** Where the CLI asks its questions. Tests give a scripted one; the real one is the process console. */
public interface Terminal {

    /** Whether a person can answer: false when stdin/stdout are not a terminal (pipes, CI). */
    boolean interactive();

    /** Prints the prompt and reads one line; empty when there is no terminal or the input ended. */
    Optional<String> ask(String prompt);

    static Terminal system() {
        return new Terminal() {
            @Override
            public boolean interactive() {
                return System.console() != null;
            }

            @Override
            public Optional<String> ask(String prompt) {
                Console console = System.console();
                if (console == null) {
                    return Optional.empty();
                }
                return Optional.ofNullable(console.readLine("%s", prompt));
            }
        };
    }

    /** A terminal nobody sits at. */
    Terminal NONE = new Terminal() {
        @Override
        public boolean interactive() {
            return false;
        }

        @Override
        public Optional<String> ask(String prompt) {
            return Optional.empty();
        }
    };
}
