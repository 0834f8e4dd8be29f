# config-distributor as a native executable (needs GraalVM or Mandrel where you build):
#   ./mvnw -B -DskipTests -Dnative -pl config-distributor -am package
#   docker build -f deployment/docker/config-distributor.native.Dockerfile -t REGISTRY/docker-cache/config-distributor:TAG-native .
FROM quay.io/quarkus/quarkus-micro-image:2.0

WORKDIR /work/
RUN chown 1001 /work && chmod "g+rwX" /work && chown 1001:root /work
COPY --chown=1001:root --chmod=0755 config-distributor/target/*-runner /work/application

EXPOSE 9000
USER 1001
ENTRYPOINT [ "./application" ]
