package io.dockercache.cache.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Makes the whole {@code /q/metrics} page pass {@code promtool check metrics}: every meter gets a
 * help text, and the two framework meters whose names break Prometheus' conventions
 * ({@code process_cpu_time_ns}, {@code system_cpu_count}) or help texts
 * ({@code http_server_connections}, a long-task timer) break Prometheus' conventions are left
 * out; {@code process_cpu_usage}, {@code http_server_active_requests} and the JVM's own meters
 * say the same.
 */
public class MeterLint {

  private static final Set<String> NON_CONFORMING =
      Set.of("process.cpu.time", "system.cpu.count", "http.server.connections");

  @Produces
  @Singleton
  MeterFilter lint() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getDescription() == null || id.getDescription().isBlank()) {
          return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTags()),
              id.getBaseUnit(), id.getName().replace('.', ' '), id.getType());
        }
        return id;
      }

      @Override
      public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
        return NON_CONFORMING.contains(id.getName())
            ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
            : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
      }
    };
  }
}
