# cache-service on a JVM. From the repository root, `bash scripts/build-images.sh` packages the
# program and builds this image (and the config-distributor's); by hand:
#   ./mvnw -B -DskipTests -pl cache-service -am package
#   docker build -f deployment/docker/cache-service.jvm.Dockerfile -t docker-cache/cache-service:TAG \
#     cache-service/target/quarkus-app
# The build context is the Quarkus fast-jar directory. BASE_IMAGE is any JRE 17 image with
# `java` on the PATH and groupadd/useradd (Debian, Ubuntu); where no image can be pulled,
# build-images.sh makes docker-cache/base-jre:17 from Debian's packages.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="docker-cache cache-service" \
      org.opencontainers.image.description="Docker Hub pull-through registry cache" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# The user the manifests run the cache as (runAsUser/runAsGroup 185). The program files stay
# root's: the process cannot change its own code, and the root filesystem is read-only anyway.
RUN groupadd --system --gid 185 docker-cache \
 && useradd --system --uid 185 --gid 185 --home-dir /deployments --no-create-home \
      --shell /usr/sbin/nologin docker-cache

# Quarkus' fast-jar layout, dependencies first, so an application-only change reuses their layer.
COPY lib/ /deployments/lib/
COPY quarkus-run.jar /deployments/
COPY app/ /deployments/app/
COPY quarkus/ /deployments/quarkus/

# Registry API, then health and metrics.
EXPOSE 5000 9000
WORKDIR /deployments
USER 185:185
# The heap follows the container's memory limit through the JDK's container support; the
# manifests set their own share (-XX:MaxRAMPercentage) in JAVA_TOOL_OPTIONS.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50"
ENTRYPOINT ["java", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar"]
