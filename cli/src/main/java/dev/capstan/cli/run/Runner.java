package dev.capstan.cli.run;

/** One run, in-process or on the platform. {@link #cancel} may be called from another thread (Ctrl-C). */
public interface Runner {

    /** Runs until the run ends; every event goes to the log and the progress display. */
    void run();

    /** Asks the run to stop; {@link #run()} returns once the run has ended. */
    void cancel(String reason);
}
