package io.leadpipe.store;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A pull id is short (it is written into every lead's rows), has no LIKE wildcard, and does not repeat. */
class PullIdsTest {

    @Test
    void idsAreThirteenBase32CharactersAndDistinct() {
        Set<String> ids = new HashSet<>();
        Set<Character> lastChars = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = PullIds.next();
            assertThat(id).hasSize(PullIds.LENGTH).matches("[0-9a-v]+");
            ids.add(id);
            lastChars.add(id.charAt(PullIds.LENGTH - 1));
        }
        assertThat(ids).as("no id twice in 100,000").hasSize(100_000);
        assertThat(lastChars).as("the last character carries 5 random bits too").hasSize(32);
    }
}
