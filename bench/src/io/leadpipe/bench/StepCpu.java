package io.leadpipe.bench;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The CPU time of the thread that runs each step of leadpipe's routes, without the steps nested in it: where a pull's
 * CPU goes, step by step (`bench/run steps`). Camel wraps every step of every route in this when it is bound as a bean
 * ({@link #SETTING}); what Camel does around a step (its channel, error handler, route policy) falls to the step around
 * it (so a step with steps inside it, such as {@code transacted}, also holds Camel's routing around them). A step whose
 * callback comes back on another thread (parallel pages) is not measured, best effort: the case pulls one page at a time.
 */
public final class StepCpu implements InterceptStrategy, CamelContextAware {

    /** The setting that binds it into leadpipe's Camel context (camel-main's beans by class). */
    static final Map<String, String> SETTING = Map.of("camel.beans.benchStepCpu", "#class:" + StepCpu.class.getName());

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> CALLS = new ConcurrentHashMap<>();
    /** Per thread, the steps under way: {CPU at their start, CPU of the steps nested in them so far}. */
    private static final ThreadLocal<ArrayDeque<long[]>> UNDER_WAY = ThreadLocal.withInitial(ArrayDeque::new);

    private CamelContext context;

    /** One step: its route (a kamelet's routes by the kamelet's name) and Camel's label for it. */
    record Step(String route, String label) {}

    /** A step's CPU seconds and how many times it ran. */
    record Spent(double cpuSeconds, long calls) {}

    static void clear() {
        NANOS.clear();
        CALLS.clear();
    }

    /** Every step measured since {@link #clear()}. */
    static Map<Step, Spent> spent() {
        Map<Step, Spent> out = new TreeMap<>(java.util.Comparator.comparing(Step::route).thenComparing(Step::label));
        NANOS.forEach((k, v) -> {
            int bar = k.indexOf(" | ");
            out.put(new Step(k.substring(0, bar), k.substring(bar + 3)), new Spent(v.sum() / 1e9, CALLS.get(k).sum()));
        });
        return out;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    /** camel-main binds the bean before the routes are made: added here, every step of every route is wrapped. */
    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
        if (!context.getCamelContextExtension().getInterceptStrategies().contains(this)) context.getCamelContextExtension().addInterceptStrategy(this);
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor next) {
        String route = "?";
        if (definition instanceof ProcessorDefinition<?> step) {
            RouteDefinition r = ProcessorDefinitionHelper.getRoute(step);
            if (r != null) route = r.getRouteId() != null ? r.getRouteId() : r.getInput().getEndpointUri();
        }
        // one name per step across runs: a kamelet's route is made anew per run (api-call-37, api-call-46, …), and a
        // data format's label carries its instance (JsonDataFormat@73ede6dd)
        String key = route.replaceFirst("-\\d+$", "") + " | " + definition.getLabel().replaceAll("@[0-9a-f]+", "").replaceAll("(routeId=[A-Za-z-]+)-\\d+", "$1");
        AsyncProcessor step = AsyncProcessorConverterHelper.convert(target);
        return new DelegateAsyncProcessor(step) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                ArrayDeque<long[]> underWay = UNDER_WAY.get();
                // {CPU at the start, CPU of nested steps, 1 once it finished elsewhere}
                long[] mine = {THREADS.getCurrentThreadCpuTime(), 0, 0};
                underWay.push(mine);
                try {
                    return step.process(exchange, doneSync -> {
                        if (UNDER_WAY.get() != underWay) {
                            mine[2] = 1; // finished on another thread: not measured (see above), dropped by its own thread
                        } else {
                            long all = THREADS.getCurrentThreadCpuTime() - mine[0];
                            underWay.remove(mine);
                            NANOS.computeIfAbsent(key, k -> new LongAdder()).add(all - mine[1]);
                            CALLS.computeIfAbsent(key, k -> new LongAdder()).increment();
                            long[] around = underWay.peek();
                            while (around != null && around[2] == 1) { // steps that finished elsewhere are no one's parent
                                underWay.pop();
                                around = underWay.peek();
                            }
                            if (around != null) around[1] += all;
                        }
                        callback.done(doneSync);
                    });
                } catch (RuntimeException e) {
                    underWay.remove(mine);
                    throw e;
                }
            }
        };
    }
}
