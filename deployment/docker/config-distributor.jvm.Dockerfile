# config-distributor on a JVM. From the repository root, `bash scripts/build-images.sh` packages
# the program and builds this image (and the cache-service's); by hand:
#   ./mvnw -B -DskipTests -pl config-distributor -am package
#   docker build -f deployment/docker/config-distributor.jvm.Dockerfile \
#     -t docker-cache/config-distributor:TAG config-distributor/target/quarkus-app
# The build context is the Quarkus fast-jar directory. BASE_IMAGE is any JRE 17 image with
# `java` and `kill` (procps) on the PATH: the distributor reloads dockerd with `kill -HUP`.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="docker-cache config-distributor" \
      org.opencontainers.image.description="Node agent pointing dockerd and containerd at the docker-cache mirror" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# `kill` is procps' (Debian's and Ubuntu's slim images may lack it): installed when the base has none.
RUN command -v kill >/dev/null 2>&1 \
 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends procps \
      && rm -rf /var/lib/apt/lists/*; } \
 && command -v kill

COPY lib/ /deployments/lib/
COPY quarkus-run.jar /deployments/
COPY app/ /deployments/app/
COPY quarkus/ /deployments/quarkus/

# Health and metrics.
EXPOSE 9000
WORKDIR /deployments
# Root, as the DaemonSet runs it: it edits the node's /etc/docker and /etc/containerd and
# signals the node's dockerd.
USER 0:0
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50"
ENTRYPOINT ["java", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar"]
