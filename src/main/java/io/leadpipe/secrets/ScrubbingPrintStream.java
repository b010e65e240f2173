package io.leadpipe.secrets;

import java.io.PrintStream;

/**
 * A console stream that scrubs every piece of text written to it (see {@link Secrets#scrub}) and hands it
 * to the stream it wraps (keeping that stream's charset). The logger (slf4j-simple) writes each line with
 * one {@code println(String)}, stack traces go through {@code println(Object)}, and {@code printf} appends
 * each formatted argument whole: all pass through here.
 */
public final class ScrubbingPrintStream extends PrintStream {

    private final PrintStream target;

    private ScrubbingPrintStream(PrintStream target) {
        super(target, true);
        this.target = target;
    }

    /** The stream, scrubbing (itself when it already is). */
    public static PrintStream wrap(PrintStream target) {
        return target instanceof ScrubbingPrintStream ? target : new ScrubbingPrintStream(target);
    }

    /** System.out and System.err scrub from now on: every log line of this process. */
    public static synchronized void installOnConsole() {
        System.setOut(wrap(System.out));
        System.setErr(wrap(System.err));
    }

    @Override
    public void print(String s) {
        target.print(Secrets.scrub(s));
    }

    @Override
    public void println(String s) {
        target.println(Secrets.scrub(s));
    }

    @Override
    public void print(Object o) {
        print(String.valueOf(o));
    }

    @Override
    public void println(Object o) {
        println(String.valueOf(o));
    }

    @Override
    public void print(char[] s) {
        print(new String(s));
    }

    @Override
    public void println(char[] s) {
        println(new String(s));
    }

    @Override
    public void println() {
        target.println();
    }

    @Override
    public PrintStream append(CharSequence csq) {
        print(String.valueOf(csq));
        return this;
    }

    @Override
    public PrintStream append(CharSequence csq, int start, int end) {
        print(String.valueOf(csq == null ? "null" : csq.subSequence(start, end)));
        return this;
    }

    @Override
    public void flush() {
        target.flush();
    }
}
