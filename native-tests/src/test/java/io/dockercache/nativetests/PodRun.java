package io.dockercache.nativetests;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One container of a rendered Deployment or DaemonSet as {@code docker run} arguments, set the way
 * the kubelet sets them: user and group, fsGroup as a supplementary group (and the group of the
 * configMap and secret files), read-only root, capabilities, no-new-privileges, seccomp, host PID,
 * the memory limit, the environment (values, fieldRefs, secretKeyRefs) and the volumes (configMap
 * and secret files, emptyDir as a tmpfs, hostPath as a test directory). A volume type, env source,
 * seccomp profile or security setting it cannot apply fails, so the test cannot drift from the
 * manifests silently. Probes are the caller's (the readiness probe's path and port are read from
 * {@link #container()}); ephemeral-storage limits have no docker counterpart and are not applied.
 *
 * <p>What the sandbox makes a test change is explicit, and listed by {@link #deviations()}: host
 * networking, environment overrides (ports on 127.0.0.1), extra arguments, config.yaml keys, and
 * {@code privileged} (refused here).
 */
final class PodRun {

    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?");

    private final RenderedOverlay overlay;
    private final String namespace;
    private final JsonNode pod;
    private final JsonNode container;
    private final Map<String, Path> hostPaths = new HashMap<>();
    private final Map<String, String> secretOverrides = new HashMap<>();
    private final Map<String, String> configKeys = new LinkedHashMap<>();
    private final Map<String, String> fieldRefs = new HashMap<>();
    private final Map<String, String> envOverrides = new LinkedHashMap<>();
    private final List<String> extraArgs = new ArrayList<>();
    private boolean withoutPrivileged;
    private String image;

    private PodRun(RenderedOverlay overlay, JsonNode workload, String containerName) {
        this.overlay = overlay;
        this.namespace = workload.path("metadata").path("namespace").asText("default");
        this.pod = workload.path("spec").path("template").path("spec");
        JsonNode found = null;
        for (JsonNode c : pod.path("containers")) {
            if (containerName.equals(c.path("name").asText())) {
                found = c;
            }
        }
        if (found == null) {
            throw new AssertionError(overlay.name() + ": no container " + containerName + " in " + workload.path("kind").asText()
                    + " " + workload.path("metadata").path("name").asText());
        }
        this.container = found;
        this.image = container.path("image").asText();
    }

    /** Container {@code containerName} of the workload ({@code Deployment}, {@code DaemonSet}) {@code name}. */
    static PodRun of(RenderedOverlay overlay, String kind, String name, String containerName) {
        return new PodRun(overlay, overlay.get(kind, name), containerName);
    }

    /** The test directory that stands for the node's {@code hostPath} {@code path}. */
    PodRun hostPath(String path, Path dir) {
        hostPaths.put(path, dir);
        return this;
    }

    /** The content of the Secret key {@code key} (the admin's file beside the overlay, e.g. azure-account-key). */
    PodRun secret(String key, String value) {
        if (!overlay.secretKeys().contains(key)) {
            throw new AssertionError(overlay.name() + ": no Secret has a key " + key + ": " + overlay.secretKeys());
        }
        secretOverrides.put(key, value);
        return this;
    }

    /** Sets {@code key} in the config.yaml of the ConfigMaps the pod uses (replacing the overlay's line, if any). */
    PodRun configKey(String key, String value) {
        configKeys.put(key, value);
        return this;
    }

    /** The value of a downward-API field such as {@code spec.nodeName}; {@code metadata.namespace} is known. */
    PodRun fieldRef(String fieldPath, String value) {
        fieldRefs.put(fieldPath, value);
        return this;
    }

    /** A sandbox override of one environment variable. */
    PodRun env(String name, String value) {
        envOverrides.put(name, value);
        return this;
    }

    /** Arguments after the manifest's own. */
    PodRun args(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** Runs a {@code privileged: true} container with the default capabilities: this sandbox refuses --privileged. */
    PodRun withoutPrivileged() {
        withoutPrivileged = true;
        return this;
    }

    /** The image to run instead of the rendered one. */
    PodRun image(String ref) {
        image = ref;
        return this;
    }

    /** The image the manifest names. */
    String renderedImage() {
        return container.path("image").asText();
    }

    JsonNode container() {
        return container;
    }

    /** The port number of the container port named {@code name}. */
    int containerPort(String name) {
        for (JsonNode port : container.path("ports")) {
            if (name.equals(port.path("name").asText())) {
                return port.path("containerPort").asInt();
            }
        }
        throw new AssertionError(overlay.name() + ": container " + container.path("name").asText() + " has no port " + name);
    }

    /** What the test changed against the manifest, for the report. */
    List<String> deviations() {
        List<String> out = new ArrayList<>(List.of("--network host (no bridge here)"));
        envOverrides.forEach((k, v) -> out.add("env " + k + "=" + v));
        configKeys.forEach((k, v) -> out.add("config.yaml " + k + ": " + v));
        secretOverrides.keySet().forEach(k -> out.add("secret file " + k + " filled"));
        if (!extraArgs.isEmpty()) {
            out.add("args " + extraArgs);
        }
        if (withoutPrivileged && container.path("securityContext").path("privileged").asBoolean(false)) {
            out.add("privileged: true run with the default capabilities (--privileged is refused here)");
        }
        return out;
    }

    /** The arguments after {@code docker run}, for container {@code name}; volume files are written under {@code dir}. */
    List<String> dockerRunArgs(Path dir, String name) {
        List<String> args = new ArrayList<>(List.of("--name", name, "--network", "host"));
        JsonNode podSecurity = pod.path("securityContext");
        JsonNode security = container.path("securityContext");
        Long fsGroup = optionalLong(podSecurity, "fsGroup");
        args.addAll(user(podSecurity, security));
        if (fsGroup != null) {
            args.addAll(List.of("--group-add", fsGroup.toString()));
        }
        for (JsonNode group : podSecurity.path("supplementalGroups")) {
            args.addAll(List.of("--group-add", group.asText()));
        }
        if (security.path("privileged").asBoolean(false) && !withoutPrivileged) {
            throw new AssertionError("the container is privileged and this sandbox refuses --privileged: call withoutPrivileged()");
        }
        if (security.path("readOnlyRootFilesystem").asBoolean(false)) {
            args.add("--read-only");
        }
        if (security.has("allowPrivilegeEscalation") && !security.path("allowPrivilegeEscalation").asBoolean()) {
            args.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        for (JsonNode cap : security.path("capabilities").path("drop")) {
            args.addAll(List.of("--cap-drop", cap.asText()));
        }
        for (JsonNode cap : security.path("capabilities").path("add")) {
            args.addAll(List.of("--cap-add", cap.asText()));
        }
        String seccomp = security.path("seccompProfile").path("type")
                .asText(podSecurity.path("seccompProfile").path("type").asText("RuntimeDefault"));
        switch (seccomp) {
            case "RuntimeDefault" -> { } // docker's default profile
            case "Unconfined" -> args.addAll(List.of("--security-opt", "seccomp=unconfined"));
            default -> throw new AssertionError("seccompProfile " + seccomp + " is not supported here");
        }
        if (pod.path("hostPID").asBoolean(false)) {
            args.addAll(List.of("--pid", "host"));
        }
        if (pod.path("hostIPC").asBoolean(false)) {
            args.addAll(List.of("--ipc", "host"));
        }
        JsonNode limits = container.path("resources").path("limits");
        if (limits.has("memory")) {
            args.addAll(List.of("--memory", Long.toString(bytes(limits.path("memory").asText()))));
        }
        if (limits.has("cpu")) {
            String cpu = limits.path("cpu").asText();
            args.addAll(List.of("--cpus", cpu.endsWith("m")
                    ? Double.toString(Long.parseLong(cpu.substring(0, cpu.length() - 1)) / 1000.0) : cpu));
        }
        environment().forEach((k, v) -> args.addAll(List.of("--env", k + "=" + v)));
        args.addAll(volumes(dir, fsGroup));
        if (container.hasNonNull("workingDir")) {
            args.addAll(List.of("--workdir", container.path("workingDir").asText()));
        }
        List<String> command = strings(container.path("command"));
        if (!command.isEmpty()) {
            args.addAll(List.of("--entrypoint", command.get(0)));
        }
        args.add(image);
        args.addAll(command.isEmpty() ? List.of() : command.subList(1, command.size()));
        args.addAll(strings(container.path("args")));
        args.addAll(extraArgs);
        return args;
    }

    private List<String> user(JsonNode podSecurity, JsonNode security) {
        Long uid = optionalLong(security, "runAsUser");
        uid = uid != null ? uid : optionalLong(podSecurity, "runAsUser");
        Long gid = optionalLong(security, "runAsGroup");
        gid = gid != null ? gid : optionalLong(podSecurity, "runAsGroup");
        boolean nonRoot = security.has("runAsNonRoot") ? security.path("runAsNonRoot").asBoolean()
                : podSecurity.path("runAsNonRoot").asBoolean(false);
        if (nonRoot && (uid == null || uid == 0)) {
            // The kubelet checks the image's user then; the manifests here always name one.
            throw new AssertionError("runAsNonRoot with runAsUser " + uid + ": the kubelet would refuse to start it");
        }
        if (uid == null) {
            if (gid != null) {
                throw new AssertionError("runAsGroup without runAsUser is not supported here");
            }
            return List.of();
        }
        return List.of("--user", gid == null ? uid.toString() : uid + ":" + gid);
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode var : container.path("env")) {
            String name = var.path("name").asText();
            if (var.has("value")) {
                env.put(name, var.path("value").asText());
                continue;
            }
            JsonNode from = var.path("valueFrom");
            if (from.has("fieldRef")) {
                String field = from.path("fieldRef").path("fieldPath").asText();
                String value = field.equals("metadata.namespace") ? namespace : fieldRefs.get(field);
                if (value == null) {
                    throw new AssertionError("env " + name + " reads fieldRef " + field + ": give the test its value with fieldRef()");
                }
                env.put(name, value);
            } else if (from.has("secretKeyRef")) {
                JsonNode ref = from.path("secretKeyRef");
                env.put(name, secretData(ref.path("name").asText()).getOrDefault(ref.path("key").asText(), ""));
            } else if (from.has("configMapKeyRef")) {
                JsonNode ref = from.path("configMapKeyRef");
                env.put(name, configMapData(ref.path("name").asText()).getOrDefault(ref.path("key").asText(), ""));
            } else {
                throw new AssertionError("env " + name + ": valueFrom " + from + " is not supported here");
            }
        }
        env.putAll(envOverrides);
        return env;
    }

    private List<String> volumes(Path dir, Long fsGroup) {
        List<String> args = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            String volumeName = mount.path("name").asText();
            JsonNode volume = volume(volumeName);
            String mountPath = mount.path("mountPath").asText();
            String subPath = mount.path("subPath").asText("");
            boolean readOnly = mount.path("readOnly").asBoolean(false);
            Path source;
            if (volume.has("emptyDir")) {
                if (!subPath.isEmpty()) {
                    throw new AssertionError("subPath of an emptyDir is not supported here");
                }
                // An emptyDir is world-writable (0777) and allows exec, unlike docker's default tmpfs.
                String size = volume.path("emptyDir").has("sizeLimit")
                        ? ",size=" + bytes(volume.path("emptyDir").path("sizeLimit").asText()) : "";
                args.addAll(List.of("--tmpfs", mountPath + ":rw,exec,nosuid,nodev,mode=777" + size));
                continue;
            } else if (volume.has("configMap")) {
                JsonNode cm = volume.path("configMap");
                source = files(dir.resolve("volumes").resolve(volumeName), configMapData(cm.path("name").asText()),
                        cm.path("defaultMode").asInt(0644), fsGroup);
            } else if (volume.has("secret")) {
                JsonNode secret = volume.path("secret");
                source = files(dir.resolve("volumes").resolve(volumeName), secretData(secret.path("secretName").asText()),
                        secret.path("defaultMode").asInt(0644), fsGroup);
            } else if (volume.has("hostPath")) {
                source = hostPath(volume.path("hostPath"));
            } else {
                throw new AssertionError("volume " + volumeName + " " + volume + " is not supported here");
            }
            Path bound = subPath.isEmpty() ? source : source.resolve(subPath);
            if (!Files.exists(bound)) {
                throw new AssertionError("volume " + volumeName + " has no " + subPath);
            }
            args.addAll(List.of("--mount", "type=bind,source=" + bound + ",target=" + mountPath + (readOnly ? ",readonly" : "")));
        }
        return args;
    }

    private Path hostPath(JsonNode hostPath) {
        String path = hostPath.path("path").asText();
        Path dir = hostPaths.get(path);
        if (dir == null) {
            throw new AssertionError("the pod mounts hostPath " + path + ": give the test its directory with hostPath()");
        }
        String type = hostPath.path("type").asText("");
        try {
            switch (type) {
                case "DirectoryOrCreate" -> Files.createDirectories(dir);
                case "Directory" -> {
                    if (!Files.isDirectory(dir)) {
                        throw new AssertionError("hostPath " + path + " (type Directory) must exist: " + dir);
                    }
                }
                default -> {
                    if (!type.isEmpty()) {
                        throw new AssertionError("hostPath type " + type + " is not supported here");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private JsonNode volume(String name) {
        for (JsonNode volume : pod.path("volumes")) {
            if (name.equals(volume.path("name").asText())) {
                return volume;
            }
        }
        throw new AssertionError("volumeMount " + name + " has no volume");
    }

    private Map<String, String> configMapData(String name) {
        Map<String, String> data = new LinkedHashMap<>();
        overlay.get("ConfigMap", name).path("data").fields()
                .forEachRemaining(e -> data.put(e.getKey(), e.getKey().equals("config.yaml")
                        ? withConfigKeys(e.getValue().asText()) : e.getValue().asText()));
        return data;
    }

    private Map<String, String> secretData(String name) {
        Map<String, String> data = new LinkedHashMap<>();
        overlay.get("Secret", name).path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
        secretOverrides.forEach((key, value) -> data.replace(key, value));
        return data;
    }

    private String withConfigKeys(String yaml) {
        String out = yaml;
        for (Map.Entry<String, String> key : configKeys.entrySet()) {
            Matcher line = Pattern.compile("(?m)^" + Pattern.quote(key.getKey()) + ":.*$").matcher(out);
            String replacement = key.getKey() + ": " + key.getValue();
            out = line.find() ? line.replaceFirst(Matcher.quoteReplacement(replacement))
                    : out + (out.endsWith("\n") ? "" : "\n") + replacement + "\n";
        }
        return out;
    }

    /** The files of a configMap or secret volume, as the kubelet writes them: mode, and fsGroup as their group. */
    private static Path files(Path dir, Map<String, String> data, int mode, Long fsGroup) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : data.entrySet()) {
                Path path = dir.resolve(file.getKey());
                Files.writeString(path, file.getValue());
                Files.setPosixFilePermissions(path, permissions(mode));
                if (fsGroup != null) {
                    Files.setAttribute(path, "unix:gid", fsGroup.intValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the volume files under " + dir, e);
        }
        return dir;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    /** A Kubernetes quantity of bytes ({@code 1Gi}, {@code 512Mi}, {@code 64M}, plain bytes). */
    static long bytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity);
        if (!m.matches()) {
            throw new AssertionError("quantity " + quantity + " is not supported here");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "Ki" -> n << 10;
            case "Mi" -> n << 20;
            case "Gi" -> n << 30;
            case "Ti" -> n << 40;
            case "k" -> n * 1000L;
            case "M" -> n * 1000_000L;
            case "G" -> n * 1000_000_000L;
            case "T" -> n * 1000_000_000_000L;
            default -> n;
        };
    }

    private static Long optionalLong(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.path(field).asLong() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
