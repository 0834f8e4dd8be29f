# config-distributor on a JVM. Build the fast-jar first, then the image, from the repository root:
#   ./mvnw -B -DskipTests -pl config-distributor -am package
#   docker build -f deployment/docker/config-distributor.jvm.Dockerfile -t REGISTRY/docker-cache/config-distributor:TAG .
# The DaemonSet runs it as root (it edits the node's files and signals dockerd).
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21

ENV LANGUAGE='en_US:en'
COPY --chown=185 config-distributor/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 config-distributor/target/quarkus-app/*.jar /deployments/
COPY --chown=185 config-distributor/target/quarkus-app/app/ /deployments/app/
COPY --chown=185 config-distributor/target/quarkus-app/quarkus/ /deployments/quarkus/

# Health and metrics.
EXPOSE 9000
USER 185
ENV JAVA_OPTS_APPEND="-Djava.util.logging.manager=org.jboss.logmanager.LogManager"
ENV JAVA_APP_JAR="/deployments/quarkus-run.jar"

ENTRYPOINT [ "/opt/jboss/container/java/run/run-java.sh" ]
