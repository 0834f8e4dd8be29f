package io.dockercache.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL expressions of the monitoring files, and the metric names they use. */
final class PromQl {

  private static final Set<String> KEYWORDS = Set.of("by", "without", "and", "or", "unless", "offset", "bool",
      "on", "ignoring", "group_left", "group_right", "inf", "nan");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private PromQl() {
  }

  /** Every query of the Grafana dashboard, keyed by "panel title / refId". */
  static Map<String, String> dashboard(Path json) throws IOException {
    Map<String, String> expressions = new LinkedHashMap<>();
    for (JsonNode panel : new ObjectMapper().readTree(json.toFile()).path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        expressions.put("dashboard panel \"" + panel.path("title").asText() + "\" " + target.path("refId").asText(),
            target.path("expr").asText());
      }
    }
    if (expressions.isEmpty()) {
      throw new AssertionError(json + " has no queries");
    }
    return expressions;
  }

  /** The {@code spec} of the PrometheusRule manifest: a Prometheus rules file as it is. */
  static String rulesFile(Path prometheusRule) throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    JsonNode rule = yaml.readTree(prometheusRule.toFile());
    if (!"PrometheusRule".equals(rule.path("kind").asText()) || !rule.path("spec").path("groups").isArray()) {
      throw new AssertionError(prometheusRule + " is not a PrometheusRule with spec.groups");
    }
    return yaml.writeValueAsString(rule.path("spec"));
  }

  /** Every alert's expression, keyed by "alert NAME". */
  static Map<String, String> rules(Path prometheusRule) throws IOException {
    Map<String, String> expressions = new LinkedHashMap<>();
    for (JsonNode group : new YAMLMapper().readTree(prometheusRule.toFile()).path("spec").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        expressions.put("alert " + rule.path("alert").asText(rule.path("record").asText()), rule.path("expr").asText());
      }
    }
    if (expressions.isEmpty()) {
      throw new AssertionError(prometheusRule + " has no rules");
    }
    return expressions;
  }

  /**
   * The metric names an expression selects: identifiers left once strings, label matchers, ranges
   * and grouping clauses are removed, other than function names (followed by '(') and keywords.
   */
  static Set<String> metricNames(String expression) {
    String rest = STRING.matcher(expression).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = GROUPING.matcher(rest).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      String token = m.group();
      int after = m.end();
      while (after < rest.length() && Character.isWhitespace(rest.charAt(after))) {
        after++;
      }
      boolean call = after < rest.length() && rest.charAt(after) == '(';
      boolean partOfNumber = m.start() > 0 && (Character.isDigit(rest.charAt(m.start() - 1)) || rest.charAt(m.start() - 1) == '.');
      if (!call && !partOfNumber && !KEYWORDS.contains(token.toLowerCase())) {
        names.add(token);
      }
    }
    return names;
  }

  /** The metric names in a Prometheus text exposition (sample lines, without labels). */
  static Set<String> exported(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = IDENTIFIER.matcher(line);
      if (m.lookingAt()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** For running a dashboard query outside Grafana: its interval variable as a fixed range. */
  static String withoutGrafanaVariables(String expression) {
    return expression.replace("$__rate_interval", "1m").replace("$__interval", "1m");
  }
}
