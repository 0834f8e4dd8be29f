# cache-service as a native executable (needs GraalVM or Mandrel where you build):
#   ./mvnw -B -DskipTests -Dnative -pl cache-service -am package
#   docker build -f deployment/docker/cache-service.native.Dockerfile -t REGISTRY/docker-cache/cache-service:TAG-native .
FROM quay.io/quarkus/quarkus-micro-image:2.0

WORKDIR /work/
RUN chown 1001 /work && chmod "g+rwX" /work && chown 1001:root /work
COPY --chown=1001:root --chmod=0755 cache-service/target/*-runner /work/application

EXPOSE 5000 9000
USER 1001
ENTRYPOINT [ "./application" ]
