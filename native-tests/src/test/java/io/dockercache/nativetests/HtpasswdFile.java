package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/** An htpasswd file written by Apache's own {@code htpasswd} tool, as an admin would make it. */
final class HtpasswdFile {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path path;

    private HtpasswdFile(Path path) {
        this.path = path;
    }

    /** A new, empty file in its own work directory. */
    static HtpasswdFile create() {
        Path path = WorkDir.create("htpasswd").resolve("htpasswd");
        try {
            Files.writeString(path, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HtpasswdFile(path);
    }

    /** {@code htpasswd -B}: a bcrypt ({@code $2y$}) entry, the only kind the cache accepts. */
    HtpasswdFile bcrypt(String user, String password) {
        return add("-B", user, password);
    }

    /** {@code htpasswd -m}: Apache's MD5 ({@code $apr1$}), which the cache must ignore. */
    HtpasswdFile md5(String user, String password) {
        return add("-m", user, password);
    }

    /** {@code htpasswd -s}: {@code {SHA}}, which the cache must ignore. */
    HtpasswdFile sha(String user, String password) {
        return add("-s", user, password);
    }

    private HtpasswdFile add(String scheme, String user, String password) {
        Command.run(TIMEOUT, Tools.htpasswd(), "-b", scheme, path, user, password);
        return this;
    }

    Path path() {
        return path;
    }

    String content() {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hash part of {@code user}'s line, a secret that must never appear in output. */
    String hashOf(String user) {
        return content().lines().filter(l -> l.startsWith(user + ":")).map(l -> l.substring(user.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no user " + user + " in " + path));
    }

    /** The seed's {@code docker_cache_htpasswd} value: base64 of the whole file. */
    String base64() {
        return Base64.getEncoder().encodeToString(content().getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code Authorization} header value for Basic credentials. */
    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
