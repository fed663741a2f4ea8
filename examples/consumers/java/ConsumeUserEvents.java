// Reads realtime.user-events with the io.tidewire:tidewire-schemas artifact (generated Avro classes,
// serdes that know every released schema, the topic catalogue) and prints one line per event.
// See docs/CONSUMERS.md. A single-file program: with the artifact and its dependencies (Avro,
// kafka-clients) on the class path,
//
//   java -cp "$CLASSPATH" ConsumeUserEvents.java 127.0.0.1:19092 [USER_ID] [MAX]
import io.tidewire.schemas.Topic;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.UserEvent;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

public class ConsumeUserEvents {

  public static void main(final String[] args) {
    final String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:19092";
    final String user = args.length > 1 && !args[1].isEmpty() ? args[1] : null;
    final long max = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;

    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "analytics-example-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // the processor writes in transactions: read only what it committed
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");

    final Topic<String, UserEvent> topic = Topics.USER_EVENTS;
    long printed = 0;
    try (KafkaConsumer<String, UserEvent> consumer = new KafkaConsumer<>(props,
        topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      while (printed < max) {
        for (final ConsumerRecord<String, UserEvent> record : consumer.poll(Duration.ofMillis(500))) {
          final UserEvent event = record.value();
          if (event == null || (user != null && !user.equals(record.key()))) {
            continue;
          }
          // data is one of the union's records; RowChange.row holds the row as a JSON string
          final Object data = event.getData() instanceof RowChange change ? change.getRow() : event.getData();
          System.out.printf("%s %s user=%s id=%s data=%s%n", record.partition() + "@" + record.offset(),
              event.getType(), event.getUserId(), event.getId(), data);
          if (++printed == max) {
            break;
          }
        }
      }
    }
  }
}
