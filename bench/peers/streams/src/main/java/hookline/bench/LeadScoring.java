package hookline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The lead agent's work as a Kafka Streams app with exactly_once_v2, for `npm run bench` (scenario
 * `streams`): reads `<prefix>leads.created` (CloudEvents, binary mode: value = the lead as JSON, attributes
 * in ce_* headers), skips event ids it has already processed (a persistent store keyed by ce_id), scores the
 * lead like apps/lead-agent/src/qualification/scoring.ts (offline enrichment, same inputs and weights,
 * "returning" from a persistent store keyed by the normalized email, as the agent's state) and writes one
 * CloudEvent per lead to `<prefix>leads.qualified` or `<prefix>leads.disqualified`.
 *
 * Usage: java -cp lead-scoring.jar:lib/* hookline.bench.LeadScoring bootstrap prefix applicationId stateDir
 * [streams.config=value ...] (e.g. num.stream.threads=2; qualify.threshold=60 sets the threshold). Prints one
 * JSON line per notable event on stdout: "config", "state" (every state change), "stopped" (with counters
 * and some stream-thread metrics), so the bench can follow it.
 */
public final class LeadScoring {
  static final String DEDUP_STORE = "processed-ids";
  static final String MEMORY_STORE = "lead-memory";
  static final String AGENT = "streams-lead-agent";
  static final ObjectMapper JSON = new ObjectMapper();

  static final AtomicLong processed = new AtomicLong();
  static final AtomicLong duplicates = new AtomicLong();
  static final AtomicLong invalid = new AtomicLong();
  static final AtomicLong qualified = new AtomicLong();
  static final AtomicLong disqualified = new AtomicLong();

  // ---- scoring.ts / enrichment.ts, ported ----

  static final Set<String> FREE_MAIL = Set.of(
      "gmail.com googlemail.com yahoo.com yahoo.co.uk hotmail.com outlook.com live.com msn.com aol.com icloud.com me.com mac.com gmx.de gmx.net web.de proton.me protonmail.com yandex.ru mail.ru zoho.com fastmail.com hey.com".split(" "));
  static final Set<String> DISPOSABLE = Set.of(
      "mailinator.com 10minutemail.com guerrillamail.com tempmail.com temp-mail.org trashmail.com yopmail.com sharklasers.com getnada.com dispostable.com maildrop.cc throwawaymail.com".split(" "));
  static final Set<String> ROLE = Set.of("info sales admin support contact hello office noreply no-reply webmaster marketing team billing careers jobs".split(" "));
  static final Pattern SENIOR = Pattern.compile("\\b(head|vp|vice president|director|chief|cto|ceo|cfo|coo|founder|owner|lead|principal)\\b", Pattern.CASE_INSENSITIVE);

  record Score(int score, List<String> reasons, boolean qualified) {}

  static Score score(JsonNode lead, String email, boolean returning, int threshold) {
    String[] parts = email.split("@", -1);
    String local = parts.length > 0 ? parts[0] : "";
    String domain = parts.length > 1 ? parts[1] : "";
    boolean freeMail = FREE_MAIL.contains(domain);
    boolean disposable = DISPOSABLE.contains(domain);
    boolean roleAddress = ROLE.contains(local.split("\\+", -1)[0]);
    if (disposable) return new Score(0, List.of("disposable email domain"), false);
    List<String> reasons = new ArrayList<>(8);
    int score = 40;
    if (freeMail) score += add(reasons, -20, "free-mail address");
    else score += add(reasons, 20, "business email domain");
    if (roleAddress) score += add(reasons, -15, "role address");
    if (!text(lead, "company").isEmpty()) score += add(reasons, 10, "company given");
    JsonNode sizeNode = lead.get("companySize");
    double size = sizeNode != null && sizeNode.isNumber() ? sizeNode.asDouble() : 0;
    if (size >= 1000) score += add(reasons, 20, "company of 1000+");
    else if (size >= 200) score += add(reasons, 15, "company of 200+");
    else if (size >= 50) score += add(reasons, 10, "company of 50+");
    else if (size >= 10) score += add(reasons, 5, "company of 10+");
    String title = text(lead, "title");
    if (!title.isEmpty() && SENIOR.matcher(title).find()) score += add(reasons, 10, "senior title");
    if (!text(lead, "phone").isEmpty()) score += add(reasons, 5, "phone given");
    if (returning) score += add(reasons, 10, "returning lead");
    score = Math.max(0, Math.min(100, score));
    return new Score(score, reasons, score >= threshold);
  }

  static int add(List<String> reasons, int points, String why) {
    reasons.add(why + " (" + (points >= 0 ? "+" : "") + points + ")");
    return points;
  }

  static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }

  // ---- CloudEvents headers, as libs/common/src/envelope/cloudevent.ts writes them ----

  static String header(Headers h, String name) {
    Header x = h.lastHeader(name);
    return x == null || x.value() == null ? null : new String(x.value(), StandardCharsets.UTF_8);
  }

  static final Pattern TRACEPARENT = Pattern.compile("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$");

  static String randomHex(int bytes) {
    StringBuilder sb = new StringBuilder(bytes * 2);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < bytes; i++) sb.append(String.format("%02x", r.nextInt(256)));
    return sb.toString();
  }

  /** A W3C traceparent continuing the input's trace (childTraceparent in the project). */
  static String childTraceparent(String incoming) {
    Matcher m = incoming == null ? null : TRACEPARENT.matcher(incoming.trim());
    boolean ok = m != null && m.matches();
    String traceId = ok && !m.group(1).matches("^0+$") ? m.group(1) : randomHex(16);
    return "00-" + traceId + "-" + randomHex(8) + "-" + (ok ? m.group(3) : "01");
  }

  static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  // ---- the processor ----

  static final class Qualify implements Processor<String, byte[], String, byte[]> {
    private final int threshold;
    private final MessageDigest sha256;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, String> memory;

    Qualify(int threshold) {
      this.threshold = threshold;
      try {
        this.sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
      this.seen = context.getStateStore(DEDUP_STORE);
      this.memory = context.getStateStore(MEMORY_STORE);
    }

    /** followUpId in libs/agent/src/ids.ts: a UUID (v8) from SHA-256(input id, NUL, purpose). */
    private String followUpId(String inputId, String purpose) {
      sha256.reset();
      sha256.update(inputId.getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) 0);
      byte[] h = sha256.digest(purpose.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x80);
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      StringBuilder x = new StringBuilder(36);
      for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) x.append('-');
        x.append(Character.forDigit((h[i] >> 4) & 0xf, 16)).append(Character.forDigit(h[i] & 0xf, 16));
      }
      return x.toString();
    }

    @Override
    public void process(Record<String, byte[]> in) {
      String id = header(in.headers(), "ce_id");
      if (id == null || id.isEmpty() || in.value() == null) {
        invalid.incrementAndGet();
        return;
      }
      if (seen.get(id) != null) {
        duplicates.incrementAndGet();
        return;
      }
      long now = System.currentTimeMillis();
      JsonNode lead;
      try {
        lead = JSON.readTree(in.value());
      } catch (Exception e) {
        lead = null;
      }
      String rawEmail = lead == null ? "" : text(lead, "email");
      if (lead == null || !lead.isObject() || text(lead, "crmId").isEmpty() || !rawEmail.contains("@")) {
        // The agent would dead-letter it; here it is counted and remembered as processed.
        invalid.incrementAndGet();
        seen.put(id, now);
        return;
      }
      String email = rawEmail.trim().toLowerCase();
      String eventTime = header(in.headers(), "ce_time");
      String mem = memory.get(email); // "<leads>|<firstSeen>"
      Score s = score(lead, email, mem != null, threshold);

      ObjectNode out = JSON.createObjectNode();
      out.put("email", email);
      out.put("crmId", text(lead, "crmId"));
      out.put("score", s.score());
      s.reasons().forEach(out.putArray("reasons")::add);
      if (s.qualified()) out.put("returning", mem != null);
      String type = s.qualified() ? "lead.qualified" : "lead.disqualified";
      Headers h = new RecordHeaders();
      h.add("ce_specversion", bytes("1.0"));
      h.add("ce_id", bytes(followUpId(id, type)));
      h.add("ce_source", bytes("/agents/" + AGENT));
      h.add("ce_type", bytes(type));
      h.add("ce_time", bytes(ISO_MILLIS.format(Instant.ofEpochMilli(now))));
      h.add("content-type", bytes("application/json"));
      String subject = header(in.headers(), "ce_subject");
      if (subject != null) h.add("ce_subject", bytes(subject));
      h.add("ce_causationid", bytes(id));
      h.add("ce_traceparent", bytes(childTraceparent(header(in.headers(), "ce_traceparent"))));
      byte[] value;
      try {
        value = JSON.writeValueAsBytes(out);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      context.forward(new Record<>(email, value, in.timestamp(), h), s.qualified() ? "qualified" : "disqualified");

      int leads = mem == null ? 0 : Integer.parseInt(mem.substring(0, mem.indexOf('|')));
      String firstSeen = mem == null ? (eventTime == null ? "" : eventTime) : mem.substring(mem.indexOf('|') + 1);
      memory.put(email, (leads + 1) + "|" + firstSeen);
      seen.put(id, now);
      processed.incrementAndGet();
      if (s.qualified()) qualified.incrementAndGet();
      else disqualified.incrementAndGet();
    }
  }

  /** The client version, from the properties file kafka-clients ships (what its AppInfoParser reads). */
  static String kafkaVersion() {
    try (var in = KafkaStreams.class.getClassLoader().getResourceAsStream("kafka/kafka-version.properties")) {
      Properties v = new Properties();
      if (in != null) v.load(in);
      return v.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static synchronized void emit(ObjectNode line) {
    line.put("ts", System.currentTimeMillis());
    System.out.println(line.toString());
    System.out.flush();
  }

  static ObjectNode line(String msg) {
    ObjectNode o = JSON.createObjectNode();
    o.put("msg", msg);
    return o;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: LeadScoring bootstrap prefix applicationId stateDir [key=value ...]");
      System.exit(2);
    }
    String bootstrap = args[0];
    String prefix = args[1];
    Map<String, String> overrides = new TreeMap<>();
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("expected key=value, got " + args[i]);
      overrides.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    int threshold = Integer.parseInt(overrides.getOrDefault("qualify.threshold", "60"));
    overrides.remove("qualify.threshold");

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, args[2]);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.STATE_DIR_CONFIG, args[3]);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Implied by exactly_once_v2; spelled out because the comparison depends on it.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
    p.putAll(overrides);

    String input = prefix + "leads.created";
    Topology topology = new Topology();
    topology.addSource("leads-created", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), input);
    topology.addProcessor("qualify", () -> new Qualify(threshold), "leads-created");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUP_STORE), Serdes.String(), Serdes.Long()), "qualify");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MEMORY_STORE), Serdes.String(), Serdes.String()), "qualify");
    topology.addSink("qualified", prefix + "leads.qualified", Serdes.String().serializer(), Serdes.ByteArray().serializer(), "qualify");
    topology.addSink("disqualified", prefix + "leads.disqualified", Serdes.String().serializer(), Serdes.ByteArray().serializer(), "qualify");

    StreamsConfig config = new StreamsConfig(p);
    ObjectNode cfg = line("config");
    cfg.put("kafkaClients", kafkaVersion());
    cfg.put("java", System.getProperty("java.version"));
    cfg.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    cfg.put("input", input);
    cfg.put("threshold", threshold);
    ObjectNode given = cfg.putObject("given");
    new TreeMap<>(p).forEach((k, v) -> given.put(String.valueOf(k), String.valueOf(v)));
    ObjectNode eff = cfg.putObject("effective");
    for (String k : List.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG)) {
      Object v = config.originals().containsKey(k) ? config.originals().get(k) : config.values().get(k);
      eff.put(k, String.valueOf(v));
    }
    eff.put("consumer." + ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.getMainConsumerConfigs("g", "c", 0).get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)));
    cfg.put("topology", topology.describe().toString());
    emit(cfg);

    KafkaStreams streams = new KafkaStreams(topology, config);
    CountDownLatch done = new CountDownLatch(1);
    long t0 = System.nanoTime();
    streams.setStateListener((next, prev) -> {
      ObjectNode o = line("state");
      o.put("state", next.name());
      o.put("previous", prev.name());
      o.put("sinceStartMs", (System.nanoTime() - t0) / 1_000_000);
      emit(o);
      if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) done.countDown();
    });
    streams.setUncaughtExceptionHandler(e -> {
      ObjectNode o = line("error");
      o.put("error", String.valueOf(e));
      emit(o);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ObjectNode o = line("stopped");
      o.put("processed", processed.get());
      o.put("duplicates", duplicates.get());
      o.put("invalid", invalid.get());
      o.put("qualified", qualified.get());
      o.put("disqualified", disqualified.get());
      ObjectNode m = o.putObject("metrics");
      for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
        MetricName n = e.getKey();
        if (!n.group().equals("stream-thread-metrics")) continue;
        if (!Set.of("commit-total", "commit-latency-avg", "commit-latency-max", "poll-records-avg", "process-records-avg", "poll-latency-avg", "process-latency-avg", "punctuate-latency-avg").contains(n.name())) continue;
        Object v = e.getValue().metricValue();
        if (v instanceof Double d && !d.isNaN()) m.put(n.name(), Math.round(d * 1000) / 1000.0);
      }
      streams.close(Duration.ofSeconds(10));
      emit(o);
    }, "lead-scoring-shutdown"));
    streams.start();
    done.await();
    if (streams.state() == KafkaStreams.State.ERROR) System.exit(1);
  }
}
