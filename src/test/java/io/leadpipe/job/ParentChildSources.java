package io.leadpipe.job;

import java.util.Map;

/** The simulator's parents and children as sources: companies (offset, 20 a page) and contact lists (cursor), on one key. */
final class ParentChildSources {

    private ParentChildSources() {
    }

    static void companies(Map<String, String> settings, String url) {
        settings.put("leadpipe.source.companies.url", url);
        settings.put("leadpipe.source.companies.paging", "offset");
        settings.put("leadpipe.source.companies.page-size", "20");
        // the key's Throttler out of the way: these tests are not about pacing
        settings.put("leadpipe.source.companies.max-requests-per-second", "2000");
    }

    /** A child source reading the simulator's contact lists, {@code pageSize} a page, {@code concurrency} lists at once. */
    static void contacts(Map<String, String> settings, String source, String url, int pageSize, int concurrency) {
        String p = "leadpipe.source." + source + ".";
        settings.put(p + "url", url);
        settings.put(p + "paging", "cursor");
        settings.put(p + "cursor-param", "after");
        settings.put(p + "records-pointer", "/results");
        settings.put(p + "next-cursor-pointer", "/paging/next/after");
        settings.put(p + "total-pointer", "/total");
        settings.put(p + "page-size", Integer.toString(pageSize));
        settings.put(p + "concurrency", Integer.toString(concurrency));
        settings.put(p + "max-requests-per-second", "2000");
    }
}
