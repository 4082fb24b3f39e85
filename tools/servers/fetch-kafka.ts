// Fetches the Kafka broker's jars from Maven Central into .cache/kafka (CI runs it before the tests,
// so the first test that needs a broker does not pay for the download).
import { ensureKafkaJars, kafkaVersion } from './kafka-broker';

const libs = ensureKafkaJars();
console.log(`Kafka ${kafkaVersion} jars are in ${libs}`);
