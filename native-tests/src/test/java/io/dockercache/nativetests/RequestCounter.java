package io.dockercache.nativetests;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Requests a fixture saw, as {@code METHOD path} (query left out), in order of arrival. */
final class RequestCounter {

    /** One request: method and path. */
    record Seen(String method, String path) {

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private final List<Seen> seen = new ArrayList<>();

    synchronized void record(String method, String path) {
        seen.add(new Seen(method, path));
    }

    synchronized List<Seen> all() {
        return List.copyOf(seen);
    }

    synchronized void reset() {
        seen.clear();
    }

    synchronized long count(Predicate<Seen> filter) {
        return seen.stream().filter(filter).count();
    }

    /** Requests with this method whose path contains {@code pathPart}. */
    long count(String method, String pathPart) {
        return count(s -> s.method().equals(method) && s.path().contains(pathPart));
    }

    /** Requests of any method whose path contains {@code pathPart}. */
    long count(String pathPart) {
        return count(s -> s.path().contains(pathPart));
    }

    /** Every request whose path contains {@code pathPart}, for assertion messages. */
    synchronized List<Seen> matching(String pathPart) {
        return seen.stream().filter(s -> s.path().contains(pathPart)).toList();
    }

    @Override
    public synchronized String toString() {
        return seen.toString();
    }
}
