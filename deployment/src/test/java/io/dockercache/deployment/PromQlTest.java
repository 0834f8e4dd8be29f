package io.dockercache.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromQlTest {

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "up{namespace=\"docker-cache\"} == 0 ; up",
      "sum by (kind, result) (rate(docker_cache_requests_total{result=~\"hit|stale\"}[5m])) ; docker_cache_requests_total",
      "histogram_quantile(0.95, sum by (le, method) (rate(a_bucket[$__rate_interval]))) ; a_bucket",
      "min(x >= 0) < 10 and y offset 1d > 1e3 ; x,y",
      "time() - max by (node) (z > 0) ; z",
      "sum(rate(a[5m])) / sum(rate(b{status=~\"5..|error\"}[5m])) ; a,b",
  })
  void metricNames_onlyTheSelectedMetrics(String expression, String names) {
    assertEquals(Set.of(names.split(",")), PromQl.metricNames(expression));
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "a_total{x=\"1\",} 1.0 ; a_total",
      "# HELP a_total help ; ''",
  })
  void exported_sampleNames(String line, String name) {
    assertEquals(name.isEmpty() ? Set.of() : Set.of(name), PromQl.exported(line));
  }
}
