// KafkaCheck runs the Apache Kafka Java client for Sabot's cross-checks. It is
// a single source file: java -cp "$SABOT_KAFKA_LIBS/*" KafkaCheck.java CMD ...
//
//   partition N1,N2,...            keys (hex, one per line) on stdin; prints, per
//                                  key, the partition the producer's built-in
//                                  partitioner picks for each N, space separated
//   produce BROKERS N TOPIC=CODEC  writes N keyed records per topic with the
//                                  given compression.type; prints "ok"
//   consume BROKERS ISOLATION N TOPIC...
//                                  reads N records per topic from the start
//                                  (isolation read_committed or
//                                  read_uncommitted); prints
//                                  topic partition offset hex(key) hex(value)
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

public class KafkaCheck {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "partition" -> partition(args[1]);
            case "produce" -> produce(args);
            case "consume" -> consume(args);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static void partition(String counts) throws Exception {
        String[] parts = counts.split(",");
        int[] ns = new int[parts.length];
        for (int i = 0; i < parts.length; i++) ns[i] = Integer.parseInt(parts[i]);
        HexFormat hex = HexFormat.of();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            byte[] key = hex.parseHex(line.trim());
            for (int i = 0; i < ns.length; i++) {
                int p = BuiltInPartitioner.partitionForKey(key, ns[i]);
                // The producer's partitioner and the documented formula must agree.
                int q = Utils.toPositive(Utils.murmur2(key)) % ns[i];
                if (p != q) throw new IllegalStateException("partitionForKey " + p + " != toPositive(murmur2) " + q);
                if (i > 0) out.append(' ');
                out.append(p);
            }
            out.append('\n');
        }
        System.out.print(out);
    }

    static void produce(String[] args) throws Exception {
        String brokers = args[1];
        int n = Integer.parseInt(args[2]);
        for (int a = 3; a < args.length; a++) {
            String[] tc = args[a].split("=", 2);
            Properties p = new Properties();
            p.put("bootstrap.servers", brokers);
            p.put("compression.type", tc[1]);
            p.put("acks", "all");
            p.put("linger.ms", "20");
            p.put("batch.size", "65536");
            p.put("key.serializer", ByteArraySerializer.class.getName());
            p.put("value.serializer", ByteArraySerializer.class.getName());
            try (KafkaProducer<byte[], byte[]> prod = new KafkaProducer<>(p)) {
                for (int i = 0; i < n; i++) {
                    byte[] key = ("java-key-" + i).getBytes(StandardCharsets.UTF_8);
                    byte[] value = ("java " + tc[1] + " record " + i + " compressible compressible compressible").getBytes(StandardCharsets.UTF_8);
                    prod.send(new ProducerRecord<>(tc[0], key, value));
                }
                prod.flush();
            }
        }
        System.out.println("ok");
    }

    static void consume(String[] args) throws Exception {
        String brokers = args[1];
        String isolation = args[2];
        int n = Integer.parseInt(args[3]);
        HexFormat hex = HexFormat.of();
        StringBuilder out = new StringBuilder();
        for (int a = 4; a < args.length; a++) {
            String topic = args[a];
            Properties p = new Properties();
            p.put("bootstrap.servers", brokers);
            p.put("isolation.level", isolation);
            p.put("enable.auto.commit", "false");
            p.put("key.deserializer", ByteArrayDeserializer.class.getName());
            p.put("value.deserializer", ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                List<TopicPartition> tps = new ArrayList<>();
                for (PartitionInfo pi : c.partitionsFor(topic)) tps.add(new TopicPartition(topic, pi.partition()));
                c.assign(tps);
                c.seekToBeginning(tps);
                int got = 0;
                long deadline = System.currentTimeMillis() + 30_000;
                // Read until n records arrived and every partition reached its end.
                Map<TopicPartition, Long> ends = c.endOffsets(tps);
                Set<TopicPartition> done = new HashSet<>();
                while (System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        got++;
                        out.append(r.topic()).append(' ').append(r.partition()).append(' ').append(r.offset()).append(' ')
                            .append(r.key() == null ? "-" : hex.formatHex(r.key())).append(' ')
                            .append(r.value() == null ? "-" : hex.formatHex(r.value())).append('\n');
                    }
                    for (TopicPartition tp : tps) if (c.position(tp) >= ends.get(tp)) done.add(tp);
                    if (got >= n && done.size() == tps.size()) break;
                }
            }
        }
        System.out.print(out);
    }
}
