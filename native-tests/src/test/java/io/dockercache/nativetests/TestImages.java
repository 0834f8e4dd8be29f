package io.dockercache.nativetests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test images built without a daemon ({@code umoci} in OCI layouts) and pushed with {@code skopeo}.
 * Layouts are kept in {@code <work dir>/images}: the big image is built once per run, not per class.
 */
final class TestImages {

    static final long BIG_LAYER_SIZE = 50L << 20;
    /** Bump when what the builders produce changes, so that layouts kept from earlier runs are not reused. */
    private static final String LAYOUT_VERSION = "v1";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);

    private TestImages() {
    }

    /** Three layers: the static busybox, 50 MiB of random bytes, a small text file. */
    static synchronized Image big() {
        Path layout = layout("big", dir -> {
            umoci("init", "--layout", dir);
            umoci("new", "--image", dir + ":big");
            insertFile(dir, "big", Tools.busybox(), "bin/busybox");
            insertRandom(dir, "big", "data/random.bin", BIG_LAYER_SIZE, 50);
            insertText(dir, "big", "etc/docker-cache-test", "big image\n");
            umoci("config", "--image", dir + ":big", "--architecture", "amd64", "--os", "linux",
                    "--config.cmd", "/bin/busybox", "--config.cmd", "sh");
        });
        return Image.read(layout, "big");
    }

    /** Two small layers, different for each {@code variant}. */
    static synchronized Image small(String variant) {
        Path layout = layout("small-" + variant, dir -> {
            umoci("init", "--layout", dir);
            umoci("new", "--image", dir + ":" + variant);
            insertRandom(dir, variant, "data/" + variant + ".bin", 300_000, variant.hashCode());
            insertText(dir, variant, "etc/variant", variant + "\n");
            umoci("config", "--image", dir + ":" + variant, "--architecture", "amd64", "--os", "linux");
        });
        return Image.read(layout, variant);
    }

    /** An OCI index of an amd64 and an arm64 image, each with its own layer. */
    static synchronized ImageIndex multiArch() {
        List<String> architectures = List.of("amd64", "arm64");
        Path layout = layout("multi-arch", dir -> {
            umoci("init", "--layout", dir);
            for (String arch : architectures) {
                umoci("new", "--image", dir + ":" + arch);
                insertRandom(dir, arch, "data/" + arch + ".bin", 200_000, arch.hashCode());
                insertText(dir, arch, "etc/arch", arch + "\n");
                umoci("config", "--image", dir + ":" + arch, "--architecture", arch, "--os", "linux");
            }
            addIndex(dir, "multi", architectures);
        });
        List<Image> images = architectures.stream().map(arch -> Image.read(layout, arch)).toList();
        JsonObject entry = Image.indexEntry(layout, "multi");
        Descriptor index = new Descriptor(entry.getString("digest"), entry.getLong("size"));
        return new ImageIndex(layout, "multi", index, entry.getString("mediaType"),
                Image.blobBytes(layout, index.digest()), images);
    }

    /** A random file of {@code size} bytes, kept across classes of a run (for raw blob pushes). */
    static synchronized RandomFile randomFile(String name, long size, long seed) {
        Path dir = WorkDir.base().resolve("images").resolve(LAYOUT_VERSION).resolve("raw");
        Path file = dir.resolve(name + "-" + size + "-" + seed + ".bin");
        try {
            Files.createDirectories(dir);
            Path digestFile = dir.resolve(file.getFileName() + ".sha256");
            if (Files.exists(digestFile) && Files.exists(file) && Files.size(file) == size) {
                return new RandomFile(file, Files.readString(digestFile).trim(), size);
            }
            RandomFile random = RandomFile.write(file, size, seed);
            Files.writeString(digestFile, random.digest());
            return random;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pushes the image as {@code <registry>/<repository>:<tag>}, manifest bytes unchanged. */
    static void push(Image image, String registryHostPort, String repository, String tag) {
        skopeoCopy(false, "oci:" + image.layout() + ":" + image.ref(), registryHostPort, repository, tag);
    }

    /** Pushes the index and every image it lists. */
    static void push(ImageIndex index, String registryHostPort, String repository, String tag) {
        skopeoCopy(true, "oci:" + index.layout() + ":" + index.ref(), registryHostPort, repository, tag);
    }

    private static void skopeoCopy(boolean all, String source, String registryHostPort, String repository, String tag) {
        List<Object> command = new ArrayList<>(List.of(Tools.skopeo(), "--insecure-policy", "copy", "--quiet",
                "--preserve-digests", "--dest-tls-verify=false"));
        if (all) {
            command.add("--all");
        }
        command.add(source);
        command.add("docker://" + registryHostPort + "/" + repository + ":" + tag);
        Command.run(BUILD_TIMEOUT, command.toArray());
    }

    /** The layout {@code <work>/images/<name>}, built by {@code build} unless a previous build completed. */
    private static Path layout(String name, LayoutBuild build) {
        Path images = WorkDir.base().resolve("images").resolve(LAYOUT_VERSION);
        Path layout = images.resolve(name);
        Path done = images.resolve(name + ".done");
        if (Files.exists(done)) {
            return layout;
        }
        WorkDir.deleteTree(layout);
        try {
            Files.createDirectories(images);
            build.into(layout);
            WorkDir.deleteTree(layout.resolveSibling(layout.getFileName() + ".layers"));
            Files.writeString(done, "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the test image " + name, e);
        }
        return layout;
    }

    @FunctionalInterface
    private interface LayoutBuild {
        void into(Path layout) throws IOException;
    }

    private static void insertFile(Path layout, String ref, Path source, String target) throws IOException {
        Path rootfs = layerDir(layout);
        Path file = rootfs.resolve(target);
        Files.createDirectories(file.getParent());
        Files.copy(source, file);
        file.toFile().setExecutable(true, false);
        insert(layout, ref, rootfs);
    }

    private static void insertRandom(Path layout, String ref, String target, long size, long seed) throws IOException {
        Path rootfs = layerDir(layout);
        Path file = rootfs.resolve(target);
        Files.createDirectories(file.getParent());
        RandomFile.write(file, size, seed);
        insert(layout, ref, rootfs);
    }

    private static void insertText(Path layout, String ref, String target, String text) throws IOException {
        Path rootfs = layerDir(layout);
        Path file = rootfs.resolve(target);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        insert(layout, ref, rootfs);
    }

    private static Path layerDir(Path layout) throws IOException {
        Path parent = layout.resolveSibling(layout.getFileName() + ".layers");
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, "layer-");
    }

    /** Adds the contents of {@code rootfs} as a new layer on top of the image, then drops the folder. */
    private static void insert(Path layout, String ref, Path rootfs) {
        umoci("insert", "--image", layout + ":" + ref, rootfs, "/");
        WorkDir.deleteTree(rootfs);
    }

    /** Writes an OCI index listing the images {@code refs} as a blob, tagged {@code ref} in the layout. */
    private static void addIndex(Path layout, String ref, List<String> refs) throws IOException {
        JsonArray manifests = new JsonArray();
        for (String member : refs) {
            Image image = Image.read(layout, member);
            manifests.add(new JsonObject()
                    .put("mediaType", image.mediaType())
                    .put("digest", image.manifest().digest())
                    .put("size", image.manifest().size())
                    .put("platform", new JsonObject().put("architecture", image.architecture()).put("os", "linux")));
        }
        String mediaType = "application/vnd.oci.image.index.v1+json";
        byte[] bytes = new JsonObject().put("schemaVersion", 2).put("mediaType", mediaType).put("manifests", manifests)
                .encode().getBytes(StandardCharsets.UTF_8);
        String digest = Sha256.of(bytes);
        Files.write(layout.resolve("blobs/sha256").resolve(Sha256.hex(digest)), bytes);
        Path indexFile = layout.resolve("index.json");
        JsonObject index = Image.readJson(indexFile);
        index.getJsonArray("manifests").add(new JsonObject()
                .put("mediaType", mediaType)
                .put("digest", digest)
                .put("size", bytes.length)
                .put("annotations", new JsonObject().put(Image.REF_NAME, ref)));
        Files.writeString(indexFile, index.encode());
    }

    private static void umoci(Object... args) {
        List<Object> command = new ArrayList<>();
        command.add(Tools.umoci());
        command.addAll(List.of(args));
        Command.run(BUILD_TIMEOUT, command.toArray());
    }
}
