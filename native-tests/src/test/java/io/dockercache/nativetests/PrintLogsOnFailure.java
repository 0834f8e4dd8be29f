package io.dockercache.nativetests;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** On a failed test, prints the log tails of every program the fixtures are running. */
final class PrintLogsOnFailure implements TestWatcher {

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        System.err.println("===== " + context.getDisplayName() + " failed; logs of the running programs:\n"
                + ChildProcess.liveLogTails());
    }
}
