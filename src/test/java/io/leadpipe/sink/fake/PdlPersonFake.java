package io.leadpipe.sink.fake;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * People Data Labs Person Enrichment API, {@code GET /v5/person/enrich?email=…} (see {@link PdlFake}); the answer's shape
 * follows the documented output response (https://docs.peopledatalabs.com/docs/output-response-person-enrichment-api):
 * {@code {"status":200,"likelihood":…,"data":{full_name, job_title, job_company_name, job_company_industry,
 * job_company_employee_count, job_company_location_country, linkedin_url, …}}}.
 */
public final class PdlPersonFake extends PdlFake {

    public PdlPersonFake(String apiKey) throws IOException {
        super(apiKey, "/v5/person/enrich", "email");
    }

    /** The job title the fake answers for this e-mail (a known one). */
    public static String jobTitle(String email) {
        return Math.floorMod(email.hashCode(), 2) == 0 ? "head of revenue operations" : "vp sales";
    }

    @Override
    protected Map<String, Object> record(String email) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("full_name", email.substring(0, email.indexOf('@')).replace('.', ' '));
        data.put("job_title", jobTitle(email));
        data.put("job_company_name", email.substring(email.indexOf('@') + 1));
        data.put("job_company_industry", "computer software");
        data.put("job_company_employee_count", 84);
        data.put("job_company_location_country", "united states");
        data.put("linkedin_url", "linkedin.com/in/" + email.substring(0, email.indexOf('@')).replace('.', '-'));
        data.put("work_email", email);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", 200);
        r.put("likelihood", 8);
        r.put("data", data);
        r.put("dataset_version", "31.0");
        return r;
    }
}
