package io.leadpipe.store;

import java.security.SecureRandom;

/**
 * A new pull's id: 13 characters of base 32 (65 random bits; 0-9 and a-v, nothing a LIKE pattern reads as a
 * wildcard). It is written into every lead's rows (leads, lead_jobs and an index of each) and every page key,
 * so its length is paid per lead: a 36-character UUID was about a fifth of the bytes H2 appends per pulled lead.
 * Ids written before (UUIDs) stay valid: nothing parses an id, it is only compared.
 */
public final class PullIds {

    /** The id's length in characters. */
    public static final int LENGTH = 13;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] DIGITS = "0123456789abcdefghijklmnopqrstuv".toCharArray();

    private PullIds() {
    }

    /** A fresh id, unique among any number of pulls a database will hold (a collision needs about 2^32 of them). */
    public static String next() {
        long high = RANDOM.nextLong();
        int low = RANDOM.nextInt(2);
        char[] id = new char[LENGTH];
        for (int i = 0; i < LENGTH - 1; i++, high >>>= 5) id[i] = DIGITS[(int) (high & 31)];
        id[LENGTH - 1] = DIGITS[(int) ((high & 15) << 1 | low)];
        return new String(id);
    }
}
