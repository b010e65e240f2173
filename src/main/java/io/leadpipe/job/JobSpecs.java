package io.leadpipe.job;

import org.apache.camel.Exchange;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.ExchangeHelper;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The declarations of the jobs, one {@link JobSpec} per job route, made from the route's template parameters
 * the first time the route runs and kept: a route hands its declaration over in one step,
 * {@code setVariable: { name: job, method: { ref: jobSpecs, method: of } }}.
 */
public final class JobSpecs {

    private final Map<String, JobSpec> byRoute = new ConcurrentHashMap<>();

    /** The declaration of the job whose route the exchange is in. */
    public JobSpec of(Exchange exchange) {
        String routeId = ExchangeHelper.getAtRouteId(exchange);
        return byRoute.computeIfAbsent(routeId, id -> {
            RouteDefinition route = ((ModelCamelContext) exchange.getContext()).getRouteDefinition(id);
            if (route == null || route.getTemplateParameters() == null) {
                throw new IllegalStateException("route " + id + " is not made from a job template (extract, extract-children)");
            }
            return JobSpec.fromTemplate(route.getTemplateParameters());
        });
    }
}
