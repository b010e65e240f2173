package io.leadpipe.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.parallel.Isolated;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class whose workspaces store on the embedded PostgreSQL instead of H2: the core classes run again on it
 * by a subclass each ({@code @OnPostgres class FullPullOnPostgresTest extends FullPullTest {}}), in the same JVMs as
 * the rest of the suite rather than in a phase of their own. {@code @Isolated}: no test class runs beside one of these.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(OnPostgres.Switch.class)
@Isolated // the switch is one flag for the JVM: no other class may run beside it (JUnit's parallel mode is on)
public @interface OnPostgres {

    /** Turns PostgreSQL on for the class's tests, and off after them. */
    final class Switch implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            TestWorkspace.postgresForClass(true);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            TestWorkspace.postgresForClass(false);
        }
    }
}
