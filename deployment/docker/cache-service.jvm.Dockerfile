# cache-service on a JVM. Build the fast-jar first, then the image, from the repository root:
#   ./mvnw -B -DskipTests -pl cache-service -am package
#   docker build -f deployment/docker/cache-service.jvm.Dockerfile -t REGISTRY/docker-cache/cache-service:TAG .
# Push it and set REGISTRY/TAG once in the overlay's kustomization.yaml `images:`.
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21

ENV LANGUAGE='en_US:en'
# Quarkus' fast-jar layout: dependencies first, so an application-only change reuses their layers.
COPY --chown=185 cache-service/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 cache-service/target/quarkus-app/*.jar /deployments/
COPY --chown=185 cache-service/target/quarkus-app/app/ /deployments/app/
COPY --chown=185 cache-service/target/quarkus-app/quarkus/ /deployments/quarkus/

# Registry API, then health and metrics.
EXPOSE 5000 9000
USER 185
ENV JAVA_OPTS_APPEND="-Djava.util.logging.manager=org.jboss.logmanager.LogManager"
ENV JAVA_APP_JAR="/deployments/quarkus-run.jar"

ENTRYPOINT [ "/opt/jboss/container/java/run/run-java.sh" ]
