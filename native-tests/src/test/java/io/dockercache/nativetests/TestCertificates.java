package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A throwaway CA and a server certificate it signed for the IP address 127.0.0.1, made with
 * {@code openssl} in a work directory: PEM files, the key unencrypted (PKCS#8).
 */
final class TestCertificates {

    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    static TestCertificates create() {
        Path dir = WorkDir.create("tls");
        try {
            Files.createDirectories(dir.resolve("ca"));
            Files.writeString(dir.resolve("server.ext"), "basicConstraints=CA:FALSE\n"
                    + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    + "extendedKeyUsage=serverAuth\n"
                    + "subjectAltName=IP:127.0.0.1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", dir.resolve("ca.key"), "-out", dir.resolve("ca/ca.crt"),
                "-subj", "/CN=docker-cache native-tests CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("server.key"),
                "-out", dir.resolve("server.csr"), "-subj", "/CN=127.0.0.1");
        openssl("x509", "-req", "-days", "2", "-in", dir.resolve("server.csr"),
                "-CA", dir.resolve("ca/ca.crt"), "-CAkey", dir.resolve("ca.key"), "-set_serial", "1001",
                "-extfile", dir.resolve("server.ext"), "-out", dir.resolve("server.crt"));
        return new TestCertificates(dir);
    }

    /** The CA certificate, PEM. */
    Path caCertificate() {
        return dir.resolve("ca/ca.crt");
    }

    /** A directory holding only {@code ca.crt}, as {@code skopeo --src-cert-dir} wants it. */
    Path caDirectory() {
        return dir.resolve("ca");
    }

    Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    Path serverKey() {
        return dir.resolve("server.key");
    }

    private static void openssl(Object... args) {
        Object[] command = new Object[args.length + 1];
        command[0] = Tools.openssl();
        System.arraycopy(args, 0, command, 1, args.length);
        Command.run(TIMEOUT, command);
    }
}
