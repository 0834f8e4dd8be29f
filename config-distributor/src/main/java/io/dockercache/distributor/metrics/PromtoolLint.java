package io.dockercache.distributor.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Keeps {@code /q/metrics} passing {@code promtool check metrics} (Prometheus 2.42's lint): a
 * meter without a description gets its name as help text, and the framework meters whose
 * Prometheus names break the naming rules ({@code process_cpu_time_ns_total}: abbreviated unit;
 * {@code system_cpu_count}: a gauge ending in {@code _count}; {@code http_server_connections}: a
 * long-task timer without help on its derived series) are not published.
 */
public class PromtoolLint {

  private static final Set<String> NON_CONFORMING =
      Set.of("process.cpu.time", "system.cpu.count", "http.server.connections");

  @Produces
  @Singleton
  MeterFilter promtoolLint() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        String description = id.getDescription();
        if (description != null && !description.isBlank()) {
          return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(),
            id.getName().replace('.', ' '), id.getType());
      }

      @Override
      public MeterFilterReply accept(Meter.Id id) {
        return NON_CONFORMING.contains(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
      }
    };
  }
}
