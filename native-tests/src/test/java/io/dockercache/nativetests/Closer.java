package io.dockercache.nativetests;

import java.util.ArrayDeque;
import java.util.Deque;

/** Closes what a test class started, last started first, and reports every failure. */
final class Closer implements AutoCloseable {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    synchronized <T extends AutoCloseable> T register(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        AssertionError failure = null;
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception | AssertionError e) {
                if (failure == null) {
                    failure = new AssertionError("closing fixtures failed");
                }
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
