package io.leadpipe.sink;

import io.leadpipe.testing.EmbeddedBroker;
import io.leadpipe.testing.ChildJvm;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL while leads are being sent to a JMS queue (routes/deliver-endpoint.yaml, a real Artemis broker in this JVM):
 * after `deliver` again every lead is on the queue, each with its own idempotency key, and a lead that arrived twice
 * arrived with the same key and the same body — only the leads the broker took whose DELIVERED the kill cut off.
 * The delivering process is target/leadpipe.jar with camel-jms and the JMS client beside it on its classpath, as
 * docs/how-to/deliver.md, "Any Camel endpoint", tells a user to run it.
 */
class EndpointCrashIT {

    private static final int LEADS = 1500;
    private static final int CONCURRENCY = 4;

    /** The jars of camel-jms and the Artemis JMS client, from this test's classpath: the user's "ext/" directory. */
    private static String componentJars() throws Exception {
        Set<String> jars = new LinkedHashSet<>();
        for (String type : List.of("org.apache.camel.component.jms.JmsComponent", "org.apache.camel.spring.SpringCamelContext",
                "org.springframework.jms.core.JmsTemplate", "org.springframework.messaging.Message", "org.springframework.context.ApplicationContext",
                "org.springframework.aop.Advisor", "org.springframework.expression.Expression", "jakarta.jms.ConnectionFactory",
                "org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory", "org.apache.activemq.artemis.api.core.client.ActiveMQClient",
                "org.apache.activemq.artemis.api.core.SimpleString", "org.apache.activemq.artemis.selector.filter.Filterable",
                "org.apache.commons.beanutils.BeanUtils", "org.apache.commons.collections.FastHashMap")) {
            try {
                jars.add(Path.of(Class.forName(type).getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (ClassNotFoundException notNeededHere) {
                // a library this version of the client does without
            }
        }
        return String.join(File.pathSeparator, jars);
    }

    @Test
    void killedWhileSendingEveryLeadArrivesAndOnlyUnacknowledgedOnesTwiceWithTheSameKey() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = LEADS;
        try (TestWorkspace ws = new TestWorkspace().withSink(c)) {
            ws.startSimulator(c);
            ws.settings.put("leadpipe.sink.enabled", "false");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();

            try (EmbeddedBroker broker = new EmbeddedBroker(TestWorkspace.freePort(), ws.dir.resolve("broker")).start()) {
                ws.settings.putAll(broker.settings("leads"));
                ws.settings.put("leadpipe.sink.enabled", "true");
                ws.settings.put("leadpipe.sink.endpoint.concurrency", Integer.toString(CONCURRENCY));

                Path log = ws.dir.resolve("deliver.log");
                // its own class path (the broker's client jars beside leadpipe's): the archive of ChildJvm.options() would not match it
                List<String> cmd = new ArrayList<>(List.of(TestWorkspace.javaBin()));
                cmd.addAll(ChildJvm.plainOptions());
                cmd.addAll(List.of("-cp", String.join(File.pathSeparator, Path.of("target/leadpipe.jar").toAbsolutePath().toString(),
                                Path.of("target/lib").toAbsolutePath() + File.separator + "*", componentJars()),
                        "io.leadpipe.cli.LeadpipeCli", "--config", ws.configFile().toString(), "deliver"));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                pb.environment().putAll(TestWorkspace.envWithKey());
                Process deliver = pb.start();

                // some leads on the queue, the rest still to send: kill -9
                await().atMost(120, TimeUnit.SECONDS).pollInterval(5, TimeUnit.MILLISECONDS)
                        .until(() -> broker.depth("leads") >= 300 || !deliver.isAlive());
                assertThat(deliver.isAlive()).as("still delivering when killed: " + Files.readString(log)).isTrue();
                new ProcessBuilder("kill", "-KILL", Long.toString(deliver.pid())).start().waitFor();
                assertThat(deliver.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(deliver.exitValue()).isEqualTo(137);

                long committed = ws.sinkStatus("DELIVERED");
                long taken = broker.depth("leads");
                System.out.printf("EndpointCrashIT: killed with %d leads DELIVERED and %d on the queue%n", committed, taken);
                assertThat(committed).as("DELIVERED at the kill").isLessThan(LEADS);
                assertThat(taken - committed).as("leads the broker took whose DELIVERED the kill cut off").isBetween(0L, (long) CONCURRENCY);

                TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "deliver");
                assertThat(again.exitCode()).as(again.out()).isZero();
                assertThat(ws.sinkStatus("DELIVERED")).isEqualTo(LEADS);

                List<EmbeddedBroker.Received> received = broker.drain("leads");
                Map<String, List<EmbeddedBroker.Received>> byKey = received.stream().collect(Collectors.groupingBy(EmbeddedBroker.Received::key));
                assertThat(byKey).as("distinct idempotency keys: every lead arrived").hasSize(LEADS);
                List<List<EmbeddedBroker.Received>> twice = byKey.values().stream().filter(l -> l.size() > 1).toList();
                assertThat(received).as("messages").hasSize(LEADS + (int) (taken - committed));
                assertThat(twice).as("leads that arrived twice").hasSize((int) (taken - committed));
                for (List<EmbeddedBroker.Received> copies : twice) {
                    assertThat(copies).hasSize(2);
                    assertThat(copies.get(1).body()).as("a resend is the same message").isEqualTo(copies.get(0).body());
                }
            }
        }
    }
}
