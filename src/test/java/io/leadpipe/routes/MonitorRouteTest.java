package io.leadpipe.routes;

import io.leadpipe.testing.TestWorkspace;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.ToDynamicDefinition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/monitor.yaml, alerts: an alert is POSTed to the webhook when it fires and when it clears, once each;
 * a webhook that cannot be reached does not break the alerts. The timer is replaced by a direct endpoint
 * (each send is one evaluation) and the webhook by a mock.
 */
class MonitorRouteTest extends RouteTestSupport {

    private void startAlerts(String webhookUrl) throws Exception {
        simulator(10);
        ws.settings.put("leadpipe.alerts.webhook-url", webhookUrl);
        start(null, "routes/monitor.yaml");
        advise("alerts", a -> {
            a.replaceFromWith("direct:alerts");
            if (webhookUrl.contains("mocked")) a.weaveByType(ToDynamicDefinition.class).replace().to("mock:webhook");
        });
    }

    @Test
    void anAlertIsPostedWhenItFiresAndWhenItClearsOnceEach() throws Exception {
        startAlerts("http://127.0.0.1:9/mocked-hook");
        MockEndpoint webhook = mock("webhook");
        var counts = app.counters().of("all-leads");

        counts.consecutive429.set(5);
        template().sendBody("direct:alerts", null);
        template().sendBody("direct:alerts", null); // still firing: not posted again
        counts.consecutive429.set(0);
        template().sendBody("direct:alerts", null);

        assertThat(webhook.getReceivedCounter()).as("POSTs: firing, then resolved").isEqualTo(2);
        String firing = webhook.getExchanges().get(0).getMessage().getBody(String.class);
        String resolved = webhook.getExchanges().get(1).getMessage().getBody(String.class);
        assertThat(firing).contains("\"alert\":\"consecutive_429\"").contains("\"status\":\"firing\"").contains("\"job_id\":\"all-leads\"");
        assertThat(resolved).contains("\"alert\":\"consecutive_429\"").contains("\"status\":\"resolved\"");
        assertThat(webhook.getExchanges().get(0).getMessage().getHeader("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void aWebhookThatCannotBeReachedDoesNotFailTheAlerts() throws Exception {
        startAlerts("http://127.0.0.1:" + TestWorkspace.freePort() + "/hook?token=s3cret");
        app.counters().of("all-leads").consecutive429.set(5);

        Exchange evaluation = template().send("direct:alerts", e -> { });

        assertThat(evaluation.getException()).as("the failed POST is caught and logged").isNull();
    }
}
