package io.leadpipe.testing;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real JMS broker for the endpoint sink's tests: ActiveMQ Artemis started in this JVM on a loopback TCP port
 * (in memory, no journal), reached by leadpipe through camel-jms as a user's broker would be. Starts in well under a second.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** One message as a consumer sees it: its text and its properties (the headers leadpipe set). */
    public record Received(String body, Map<String, Object> headers) {
        public String key() {
            return (String) headers.get("LeadpipeIdempotencyKey");
        }
    }

    final int port;
    private final Path dir;
    private EmbeddedActiveMQ server;

    public EmbeddedBroker(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    public EmbeddedBroker start() throws Exception {
        Files.createDirectories(dir);
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large").toString())
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port)
                // named only so that the broker does not warn about their absence on every queue
                .addAddressSetting("#", new AddressSettings().setDeadLetterAddress(SimpleString.of("DLQ")).setExpiryAddress(SimpleString.of("ExpiryQueue")));
        server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        return this;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** leadpipe's settings to reach this broker with {@code jms:queue:<queue>} (camel-jms, a cached Spring connection factory). */
    public Map<String, String> settings(String queue) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("leadpipe.sink.endpoint", "jms:queue:" + queue);
        s.put("camel.beans.artemis", "#class:org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory");
        s.put("camel.beans.artemis.brokerURL", url());
        s.put("camel.beans.leadsBroker", "#class:org.springframework.jms.connection.CachingConnectionFactory");
        s.put("camel.beans.leadsBroker.targetConnectionFactory", "#bean:artemis");
        s.put("camel.component.jms.connection-factory", "#bean:leadsBroker");
        return s;
    }

    /** Messages waiting on the queue, counted by the broker. */
    public long depth(String queue) {
        Queue q = server.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return q == null ? 0 : q.getMessageCount();
    }

    /** Takes every message waiting on the queue, as a consumer would. */
    public List<Received> drain(String queue) throws JMSException {
        List<Received> received = new ArrayList<>();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url());
             JMSContext context = cf.createContext(JMSContext.AUTO_ACKNOWLEDGE);
             JMSConsumer consumer = context.createConsumer(context.createQueue(queue))) {
            long waiting = depth(queue);
            for (long i = 0; i < waiting; i++) {
                Message m = consumer.receive(5000);
                // the broker's count can include a message it is still settling (seen once under a load of 29 on 2 cores):
                // what the test checks is what a consumer gets, and that nothing is left behind
                if (m == null && depth(queue) == 0) break;
                if (m == null) throw new IllegalStateException("the broker counted " + waiting + " messages on " + queue + " but handed out only " + i);
                Map<String, Object> headers = new LinkedHashMap<>();
                for (Enumeration<?> names = m.getPropertyNames(); names.hasMoreElements(); ) {
                    String name = (String) names.nextElement();
                    headers.put(name, m.getObjectProperty(name));
                }
                received.add(new Received(((TextMessage) m).getText(), headers));
            }
        }
        return received;
    }

    @Override
    public void close() throws Exception {
        if (server != null) server.stop();
    }
}
